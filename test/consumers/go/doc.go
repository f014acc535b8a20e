// Package consumer is the Go consumer suite of cdk-ecr-codebuild: its tests (*_test.go) use the generated
// Go module as a user would. Run it with `bash test/consumers/go/run.sh` from the repository root.
package consumer
