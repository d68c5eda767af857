using System.Text.Json.Nodes;
using SagaWorkflows.Contracts;

namespace SagaWorkflows.Core.Definitions;

/// <summary>A node of a definition. <see cref="JsonPath"/> locates it in the source for messages.</summary>
public abstract record StepDefinition
{
    public required string Id { get; init; }
    public required string JsonPath { get; init; }
    public abstract string Type { get; }
}

public sealed record ToolStep : StepDefinition
{
    public override string Type => StepTypes.Tool;
    public required string Tool { get; init; }
    public JsonNode? Input { get; init; }
    public StepRetryPolicy? Retry { get; init; }
    public TimeSpan? Timeout { get; init; }
    public CompensationDefinition? Compensate { get; init; }
}

public sealed record CompensationDefinition
{
    public required string Tool { get; init; }
    public JsonNode? Input { get; init; }
    public StepRetryPolicy? Retry { get; init; }
}

public sealed record AiStep : StepDefinition
{
    public override string Type => StepTypes.Ai;
    public required string Model { get; init; }
    public string? System { get; init; }
    public required string Prompt { get; init; }
    public JsonNode? OutputSchema { get; init; }
    public StepRetryPolicy? Retry { get; init; }
    public TimeSpan? Timeout { get; init; }
}

public sealed record ParallelStep : StepDefinition
{
    public override string Type => StepTypes.Parallel;

    /// <summary>Branch name → steps, in definition order.</summary>
    public required IReadOnlyList<KeyValuePair<string, IReadOnlyList<StepDefinition>>> Branches { get; init; }
}

public sealed record ForeachStep : StepDefinition
{
    public override string Type => StepTypes.Foreach;
    public required string Items { get; init; }
    public int Concurrency { get; init; } = 1;
    public required IReadOnlyList<StepDefinition> Steps { get; init; }
}

public sealed record LoopStep : StepDefinition
{
    public const int DefaultMaxIterations = 100;

    public override string Type => StepTypes.Loop;

    /// <summary>do-until: stop when true. Exactly one of <see cref="Until"/> and <see cref="While"/>.</summary>
    public string? Until { get; init; }

    /// <summary>do-while: go on while true.</summary>
    public string? While { get; init; }

    public int MaxIterations { get; init; } = DefaultMaxIterations;
    public required IReadOnlyList<StepDefinition> Steps { get; init; }
}

public sealed record BranchStep : StepDefinition
{
    public override string Type => StepTypes.Branch;
    public required IReadOnlyList<BranchCase> Cases { get; init; }
    public IReadOnlyList<StepDefinition> Default { get; init; } = [];
}

public sealed record BranchCase(string When, IReadOnlyList<StepDefinition> Steps);

public sealed record WaitStep : StepDefinition
{
    public override string Type => StepTypes.Wait;
    public required string Signal { get; init; }
    public JsonNode? Schema { get; init; }
    public TimeSpan? Timeout { get; init; }
}

public sealed record SleepStep : StepDefinition
{
    public override string Type => StepTypes.Sleep;
    public required TimeSpan Duration { get; init; }
}

public static class StepTypes
{
    public const string Tool = "tool";
    public const string Ai = "ai";
    public const string Parallel = "parallel";
    public const string Foreach = "foreach";
    public const string Loop = "loop";
    public const string Branch = "branch";
    public const string Wait = "wait";
    public const string Sleep = "sleep";

    public static readonly IReadOnlyList<string> All = [Tool, Ai, Parallel, Foreach, Loop, Branch, Wait, Sleep];
}
