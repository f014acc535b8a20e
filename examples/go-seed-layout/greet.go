// A program laid out like the Go sample of the AWS CodeBuild docs: one .go file at the root of
// the source zip, and no go.mod. GoSampleBuild makes it a module before vet and build.
package main

import (
	"fmt"
	"strings"
)

func shout(words ...string) string {
	return strings.ToUpper(strings.Join(words, " ")) + "!"
}

func main() {
	fmt.Println(shout("no", "go.mod", "needed"))
	fmt.Printf("%d words\n", len(strings.Fields("built without a module file")))
}
