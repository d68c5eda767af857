namespace SagaWorkflows.Core.Definitions;

/// <summary>One problem of a definition, located by its JSON path (e.g. <c>$.steps[2].retry.backoffRate</c>).</summary>
public sealed record ValidationError(string Path, string Message)
{
    public override string ToString() => $"{Path}: {Message}";
}
