// Consumer of the generated Go module of cdk-ecr-codebuild (see run.sh).
// The library comes from the generated module dir (replace below, relative to the
// work copy run.sh lays out); every other module is pinned here and in go.sum.
module example.com/cdk-ecr-codebuild-consumer

go 1.26.0

require (
	github.com/aws/aws-cdk-go/awscdk/v2 v2.276.0
	github.com/aws/jsii-runtime-go v1.142.0
	github.com/cdk-ecr-codebuild/cdk-ecr-codebuild-go/cdkecrcodebuild v0.0.0
)

require (
	github.com/Masterminds/semver/v3 v3.5.0 // indirect
	github.com/aws/constructs-go/constructs/v10 v10.8.1 // indirect
	github.com/cdklabs/awscdk-asset-awscli-go/awscliv1/v2 v2.2.296 // indirect
	github.com/cdklabs/awscdk-asset-node-proxy-agent-go/nodeproxyagentv6/v2 v2.1.3 // indirect
	github.com/cdklabs/cloud-assembly-schema-go/awscdkcloudassemblyschema/v55 v55.3.0 // indirect
	github.com/fatih/color v1.19.0 // indirect
	github.com/mattn/go-colorable v0.1.14 // indirect
	github.com/mattn/go-isatty v0.0.24 // indirect
	github.com/yuin/goldmark v1.7.16 // indirect
	golang.org/x/lint v0.0.0-20241112194109-818c5a804067 // indirect
	golang.org/x/mod v0.42.0 // indirect
	golang.org/x/sync v0.24.0 // indirect
	golang.org/x/sys v0.49.0 // indirect
	golang.org/x/telemetry v0.0.0-20261009151841-97e8ea77aa2a // indirect
	golang.org/x/tools v0.52.0 // indirect
	golang.org/x/tools/cmd/godoc v0.1.0-deprecated // indirect
	golang.org/x/tools/godoc v0.1.0-deprecated // indirect
)

replace github.com/cdk-ecr-codebuild/cdk-ecr-codebuild-go/cdkecrcodebuild => ../cdkecrcodebuild

// The generated module's go.mod requires awscliv1 v2.2.296 (// indirect), so minimal version selection
// picks it (the line above), but the Go module proxy refuses that version's zip ("This module version is
// not available"). awscdk v2.276.0 itself requires v2.2.292, which the proxy serves: build with that one.
replace github.com/cdklabs/awscdk-asset-awscli-go/awscliv1/v2 => github.com/cdklabs/awscdk-asset-awscli-go/awscliv1/v2 v2.2.292
