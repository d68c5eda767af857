using MassTransit;

namespace SagaWorkflows.Benchmarks.Messages;

/// <summary>The Courier baseline's activity: completes at once, like the <c>echo</c> tool.</summary>
public sealed class NoopActivity : IExecuteActivity<NoopArguments>
{
    public Task<ExecutionResult> Execute(ExecuteContext<NoopArguments> context) => Task.FromResult(context.Completed());
}
