package consumer

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"sort"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodebuild"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"
)

const (
	account = "111111111111"
	region  = "eu-west-1"
)

// TestMain closes the jsii kernel (a node child process) once all tests ran.
func TestMain(m *testing.M) {
	code := m.Run()
	jsii.Close()
	os.Exit(code)
}

// newStack mirrors newStack() of the TypeScript tests: a Stack 'Stack' in a new App, env 111111111111/eu-west-1.
func newStack() awscdk.Stack {
	return awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Stack"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String(account), Region: jsii.String(region)},
	})
}

// s3Source mirrors s3Source() of docker-build-to-ecr.test.ts: app/source.zip of the imported bucket my-sources.
func s3Source(stack awscdk.Stack, id, bucketName, path string) awscodebuild.ISource {
	bucket := awss3.Bucket_FromBucketName(stack, jsii.String(id), jsii.String(bucketName))
	return awscodebuild.Source_S3(&awscodebuild.S3SourceProps{Bucket: bucket, Path: jsii.String(path)})
}

// plain turns whatever jsii handed back (a template fragment, a resolved token) into plain JSON values
// (map[string]any, []any, string, float64, bool, nil), so that reflect.DeepEqual compares contents.
func plain(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("cannot marshal %#v: %v", v, err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("cannot unmarshal %s: %v", b, err)
	}
	return out
}

// asJSON renders v as JSON (keys sorted), for messages and substring checks.
func asJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(plain(t, v))
	if err != nil {
		t.Fatalf("cannot marshal: %v", err)
	}
	return string(b)
}

// equalJSON fails the test unless got has exactly the contents of the JSON text want.
func equalJSON(t *testing.T, what string, got any, want string) {
	t.Helper()
	var w any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad expected JSON for %s: %v", what, err)
	}
	if g := plain(t, got); !reflect.DeepEqual(g, w) {
		t.Errorf("%s:\n got  %s\n want %s", what, asJSON(t, g), asJSON(t, w))
	}
}

// resources returns the resources of a type, logical id -> resource (plain JSON values).
func resources(t *testing.T, template assertions.Template, typ string) map[string]map[string]any {
	t.Helper()
	found := template.FindResources(jsii.String(typ), nil)
	out := map[string]map[string]any{}
	for id, r := range *found {
		out[id] = plain(t, r).(map[string]any)
	}
	return out
}

// onlyResource returns the one resource of a type and its logical id; fails unless there is exactly one.
func onlyResource(t *testing.T, template assertions.Template, typ string) (string, map[string]any) {
	t.Helper()
	all := resources(t, template, typ)
	if len(all) != 1 {
		t.Fatalf("want exactly 1 %s, got %d: %v", typ, len(all), sortedKeys(all))
	}
	for id, r := range all {
		return id, r
	}
	panic("unreachable")
}

// dig walks a path of map keys (string) and list indexes (int) into plain JSON values.
func dig(t *testing.T, v any, path ...any) any {
	t.Helper()
	cur := v
	for i, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := cur.(map[string]any)
			if !ok {
				t.Fatalf("at %v: want an object, got %#v", path[:i], cur)
			}
			next, present := m[k]
			if !present {
				t.Fatalf("at %v: no key %q in %v", path[:i], k, sortedKeys(m))
			}
			cur = next
		case int:
			l, ok := cur.([]any)
			if !ok || k >= len(l) {
				t.Fatalf("at %v: want a list with an item %d, got %#v", path[:i], k, cur)
			}
			cur = l[k]
		default:
			t.Fatalf("bad path element %#v", p)
		}
	}
	return cur
}

// list returns v as a list, or v alone in a list when it is not one (IAM's Action and Resource take both).
func list(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	return []any{v}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// panicMessage runs f and returns the message of the panic it raised, or "" when it did not panic.
// jsii turns the library's JavaScript Error into a Go panic (an error value).
func panicMessage(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			switch e := r.(type) {
			case error:
				msg = e.Error()
			case string:
				msg = e
			default:
				msg = fmt.Sprint(e)
			}
			if msg == "" {
				msg = "(a panic with an empty message)"
			}
		}
	}()
	f()
	return ""
}
