using System.Text.Json;

namespace SagaWorkflows.Contracts;

/// <summary>
/// Carried by the <see cref="StartWorkflow"/> of a child run (a <c>workflow</c> step): who started it, so the child
/// names its parent in <c>workflow-start</c> and tells the parent how it ended (<see cref="ChildRunFinished"/>).
/// </summary>
public sealed record ParentRun
{
    public Guid RunId { get; init; }

    /// <summary>The path of the parent's <c>workflow</c> step execution, e.g. <c>perItem[2].charge</c>.</summary>
    public string Path { get; init; } = "";

    /// <summary>How deep the child is: 1 for a child of a top-level run. Bounded by <c>SagaWorkflows:Limits:MaxChildDepth</c>.</summary>
    public int Depth { get; init; } = 1;
}

/// <summary>Sent by a child run to its parent's saga once its start was taken, so the parent repeats any command that came too early.</summary>
public sealed record ChildRunStarted
{
    /// <summary>The parent run.</summary>
    public Guid RunId { get; init; }

    public Guid ChildRunId { get; init; }
}

/// <summary>
/// Sent by a child run to its parent's saga, once the child has ended (after its own compensation, if any).
/// The parent matches it by <see cref="ChildRunId"/>; a duplicate or a report of an attempt given up on changes nothing.
/// </summary>
public sealed record ChildRunFinished
{
    /// <summary>The parent run.</summary>
    public Guid RunId { get; init; }

    public Guid ChildRunId { get; init; }

    /// <summary>The child's final status (<see cref="RunStatus"/> name).</summary>
    public string Status { get; init; } = "";

    public JsonElement? Output { get; init; }

    public string? ErrorType { get; init; }
    public string? ErrorMessage { get; init; }

    /// <summary>
    /// A completed child's compensations, in order of completion, not yet run: the parent undoes them in its own
    /// reverse order, at the place of the <c>workflow</c> step, should it fail or be cancelled later.
    /// </summary>
    public IReadOnlyList<ChildCompensation> Compensations { get; init; } = [];
}

/// <summary>One completed step of a child run whose compensation the parent runs if the parent is undone.</summary>
public sealed record ChildCompensation
{
    public string StepId { get; init; } = "";
    public string Path { get; init; } = "";
    public string Tool { get; init; } = "";
    public JsonElement? Input { get; init; }
    public string? InputError { get; init; }
    public StepRetryPolicy? Retry { get; init; }
}
