// kfp-backend-check runs compiled KFP pipelines through the KFP API server's own CreateRun path:
// the upload parser (pipeline spec plus the kubernetes platform spec), the Argo compiler and Argo's
// workflow validation. kfp.local and the SDK compiler enforce neither, so a pipeline can pass both
// and still be refused by a cluster.
//
// Usage: kfp-backend-check [FILE...]   (no FILE, or "-": one path a line on standard input)
// Prints "OK path" or "REJECTED path: message" per file; exits 1 when any file is rejected.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/kubeflow/pipelines/api/v2alpha1/go/pipelinespec"
	"github.com/kubeflow/pipelines/backend/src/apiserver/config/proxy"
	"github.com/kubeflow/pipelines/backend/src/apiserver/model"
	"github.com/kubeflow/pipelines/backend/src/apiserver/template"
	"google.golang.org/protobuf/types/known/structpb"
)

// A fixed run id and namespace: the server fills these in per run; their values change nothing checked.
const (
	runID     = "00000000-0000-4000-8000-000000000000"
	namespace = "kubeflow-user"
)

func main() {
	proxy.InitializeConfig("", "", "") // as the API server does at start, for a cluster without an HTTP proxy
	var paths []string
	for _, arg := range os.Args[1:] {
		if arg == "-" {
			paths = append(paths, readPaths(os.Stdin)...)
		} else {
			paths = append(paths, arg)
		}
	}
	if len(os.Args) == 1 {
		paths = readPaths(os.Stdin)
	}
	rejected := 0
	for _, path := range paths {
		if err := check(path); err != nil {
			rejected++
			fmt.Printf("REJECTED %s: %s\n", path, oneLine(err.Error()))
		} else {
			fmt.Printf("OK %s\n", path)
		}
	}
	if rejected > 0 {
		os.Exit(1)
	}
}

func readPaths(r io.Reader) []string {
	var paths []string
	scanner := bufio.NewScanner(r)
	for scanner.Scan() {
		if line := strings.TrimSpace(scanner.Text()); line != "" {
			paths = append(paths, line)
		}
	}
	return paths
}

// check does what CreateRun does with an uploaded pipeline: parse, compile to an Argo Workflow, validate.
func check(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	tmpl, err := template.New(data, template.TemplateOptions{})
	if err != nil {
		return fmt.Errorf("upload: %w", err)
	}
	spec, ok := tmpl.(*template.V2Spec)
	if !ok {
		return fmt.Errorf("upload: not a KFP v2 pipeline spec")
	}
	parameters, err := requiredParameters(spec.PipelineSpec())
	if err != nil {
		return err
	}
	run := &model.Run{
		UUID:        runID,
		DisplayName: spec.V2PipelineName(),
		Namespace:   namespace,
		PipelineSpec: model.PipelineSpec{
			RuntimeConfig: model.RuntimeConfig{Parameters: model.LargeText(parameters)},
		},
	}
	execution, err := tmpl.RunWorkflow(run, template.RunWorkflowOptions{RunID: runID, RunAt: 1})
	if err != nil {
		return fmt.Errorf("compile: %w", err)
	}
	if err := execution.Validate(false, false); err != nil {
		return fmt.Errorf("argo validate: %w", err)
	}
	return nil
}

// requiredParameters gives every root input that has neither a default nor is optional a value of its
// type, as a user starting the run must: the check is about the pipeline's shape, not its inputs.
func requiredParameters(spec *pipelinespec.PipelineSpec) (string, error) {
	values := map[string]*structpb.Value{}
	for name, param := range spec.GetRoot().GetInputDefinitions().GetParameters() {
		if param.GetIsOptional() || param.GetDefaultValue() != nil {
			continue
		}
		if literals := param.GetLiterals(); len(literals) > 0 {
			values[name] = literals[0]
			continue
		}
		switch param.GetParameterType() {
		case pipelinespec.ParameterType_NUMBER_DOUBLE, pipelinespec.ParameterType_NUMBER_INTEGER:
			values[name] = structpb.NewNumberValue(0)
		case pipelinespec.ParameterType_BOOLEAN:
			values[name] = structpb.NewBoolValue(false)
		case pipelinespec.ParameterType_LIST:
			values[name] = structpb.NewListValue(&structpb.ListValue{})
		case pipelinespec.ParameterType_STRUCT:
			values[name] = structpb.NewStructValue(&structpb.Struct{})
		default:
			values[name] = structpb.NewStringValue("")
		}
	}
	if len(values) == 0 {
		return "", nil
	}
	encoded, err := json.Marshal(values)
	return string(encoded), err
}

func oneLine(message string) string {
	return strings.Join(strings.Fields(message), " ")
}
