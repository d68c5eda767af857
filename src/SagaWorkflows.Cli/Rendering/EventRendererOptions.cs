namespace SagaWorkflows.Cli.Rendering;

public sealed record EventRendererOptions
{
    /// <summary>Prefix every line with the workflow id: for several runs interleaved (the demo).</summary>
    public bool ShowWorkflowId { get; init; }

    /// <summary>Show step inputs and outputs, shortened to <see cref="MaxDataLength"/> characters.</summary>
    public bool ShowData { get; init; } = true;

    public int MaxDataLength { get; init; } = 100;

    /// <summary>Suggest the <c>sagawf</c> command that resumes a waiting step.</summary>
    public bool ShowHints { get; init; } = true;

    /// <summary>Show a streamed step's text as it grows (<c>step-progress</c>).</summary>
    public bool ShowProgress { get; init; } = true;
}
