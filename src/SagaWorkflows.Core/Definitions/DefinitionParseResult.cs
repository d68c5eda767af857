namespace SagaWorkflows.Core.Definitions;

public sealed record DefinitionParseResult(WorkflowDefinition? Definition, IReadOnlyList<ValidationError> Errors)
{
    public bool IsValid => Definition is not null && Errors.Count == 0;
}
