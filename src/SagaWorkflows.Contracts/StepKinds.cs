namespace SagaWorkflows.Contracts;

/// <summary>The two kinds of node in a run's step tree.</summary>
public static class StepKinds
{
    public const string Step = "step";
    public const string Iteration = "iteration";
}
