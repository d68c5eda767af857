using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace SagaWorkflows.Core.Engine;

/// <summary>A sequence of steps being run: the root, a parallel branch, a foreach iteration, a loop body.</summary>
public sealed class SequenceFrame
{
    /// <summary>Index of the step running now (or next to start) in the owner's step list.</summary>
    public int Index { get; set; }

    /// <summary>The last completed step's output: the default input of the next step.</summary>
    public JsonNode? Last { get; set; }

    /// <summary>Outputs of this frame's completed steps: what <c>steps.&lt;id&gt;</c> sees.</summary>
    public Dictionary<string, JsonNode?> Outputs { get; set; } = new(StringComparer.Ordinal);

    public NodeState? Current { get; set; }

    /// <summary>The step at <see cref="Index"/> was not started because the transition's budget was spent; the run's next wake-up starts it.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Yielded { get; set; }
}

[JsonPolymorphic(TypeDiscriminatorPropertyName = "$node")]
[JsonDerivedType(typeof(ActivityState), "activity")]
[JsonDerivedType(typeof(ParallelState), "parallel")]
[JsonDerivedType(typeof(ForeachState), "foreach")]
[JsonDerivedType(typeof(LoopState), "loop")]
[JsonDerivedType(typeof(BranchState), "branch")]
[JsonDerivedType(typeof(WaitState), "wait")]
[JsonDerivedType(typeof(SleepState), "sleep")]
public abstract class NodeState
{
    public string Path { get; set; } = "";
    public DateTimeOffset StartedAt { get; set; }

    /// <summary>The node failed; it stays in the tree only so its in-flight descendants can still report.</summary>
    public bool Failed { get; set; }
}

public enum ActivityPhase
{
    /// <summary>Started while the run was suspended: dispatched on resume.</summary>
    Deferred,
    Dispatched,
    WaitingRetry,
}

/// <summary>A <c>tool</c> or <c>ai</c> step: a command out to a worker.</summary>
public sealed class ActivityState : NodeState
{
    public Guid ExecutionId { get; set; }
    public int Attempt { get; set; } = 1;
    public ActivityPhase Phase { get; set; }
    public JsonNode? Input { get; set; }

    /// <summary>When the current attempt is considered timed out (step timeout plus a grace).</summary>
    public DateTimeOffset? DeadlineAt { get; set; }

    public DateTimeOffset? RetryAt { get; set; }

    /// <summary>Attempts up to this one have had their <c>step-retry</c> event: reports of later attempts wait for it.</summary>
    public int RetriedThrough { get; set; }

    /// <summary>Retry reports that arrived before an earlier attempt's, by attempt, until their turn.</summary>
    public Dictionary<int, AttemptReport>? EarlyRetries { get; set; }

    /// <summary>A final report (success or failure) that arrived before the retry reports of the attempts before it.</summary>
    public AttemptReport? EarlyResult { get; set; }
}

/// <summary>A worker's report on one attempt, kept while the reports it follows are still on their way.</summary>
public sealed record AttemptReport
{
    public int Attempt { get; init; }
    public bool Succeeded { get; init; }
    public JsonNode? Output { get; init; }
    public int NextAttempt { get; init; }
    public TimeSpan Delay { get; init; }
    public string? ErrorType { get; init; }
    public string? Message { get; init; }
}

public sealed class ParallelState : NodeState
{
    /// <summary>Running branches; a finished branch is removed and its output put in <see cref="Results"/>.</summary>
    public Dictionary<string, SequenceFrame> Running { get; set; } = new(StringComparer.Ordinal);

    public Dictionary<string, JsonNode?> Results { get; set; } = new(StringComparer.Ordinal);
}

public sealed class ForeachState : NodeState
{
    public JsonArray Items { get; set; } = [];
    public int NextIndex { get; set; }
    public Dictionary<int, SequenceFrame> Running { get; set; } = [];
    public JsonNode?[] Results { get; set; } = [];
    public int CompletedCount { get; set; }
}

public sealed class LoopState : NodeState
{
    public int Iteration { get; set; } = 1;
    public SequenceFrame Body { get; set; } = new();
}

public sealed class BranchState : NodeState
{
    /// <summary>The taken case, or -1 for <c>default</c>.</summary>
    public int Case { get; set; }

    public SequenceFrame Body { get; set; } = new();
}

public sealed class WaitState : NodeState
{
    public string Signal { get; set; } = "";
    public DateTimeOffset? DeadlineAt { get; set; }
}

public sealed class SleepState : NodeState
{
    public DateTimeOffset Until { get; set; }
    public JsonNode? Input { get; set; }
}
