using MassTransit;
using SagaWorkflows.Contracts;
using SagaWorkflows.WorkerSdk.Events;

namespace SagaWorkflows.Orchestration.Tests.Events;

public class OrderedWorkflowEventConsumerTests
{
    private sealed class RecordingHandler(int expected) : IWorkflowEventHandler
    {
        private readonly Lock _gate = new();
        private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<(Guid RunId, long Sequence)> Seen { get; } = [];
        public Task All => _all.Task;

        public async Task HandleAsync(WorkflowLifecycleEvent lifecycleEvent, CancellationToken cancellationToken)
        {
            await Task.Yield(); // a handler that takes its time lets later events of the run arrive meanwhile
            lock (_gate)
            {
                Seen.Add((lifecycleEvent.RunId, lifecycleEvent.Sequence));
                if (Seen.Count == expected)
                {
                    _all.TrySetResult();
                }
            }
        }
    }

    [Fact]
    public async Task Events_published_shuffled_and_duplicated_reach_the_handler_once_each_in_sequence_order_per_run()
    {
        var runs = Enumerable.Range(0, 5).Select(_ => Guid.NewGuid()).ToList();
        const int perRun = 12;
        var handler = new RecordingHandler(runs.Count * perRun);
        var bus = Bus.Factory.CreateUsingInMemory(cfg => cfg.ReceiveEndpoint("ordered-events", e =>
        {
            e.ConcurrentMessageLimit = 16;
            e.ConsumeWorkflowEventsInOrder(handler);
        }));
        await bus.StartAsync();
        try
        {
            var random = new Random(3);
            var events = runs
                .SelectMany(run => Enumerable.Range(1, perRun).Select(i => new WorkflowLifecycleEvent
                {
                    RunId = run,
                    Sequence = i,
                    Type = i == perRun ? LifecycleEventTypes.WorkflowComplete : LifecycleEventTypes.StepStart,
                }))
                .ToList();
            events.AddRange(events.Where(_ => random.NextDouble() < 0.3).ToList()); // at-least-once
            foreach (var e in events.OrderBy(_ => random.Next()))
            {
                await bus.Publish(e);
            }

            await handler.All.WaitAsync(TimeSpan.FromSeconds(30));

            foreach (var run in runs)
            {
                Assert.Equal(Enumerable.Range(1, perRun).Select(i => (long)i), handler.Seen.Where(s => s.RunId == run).Select(s => s.Sequence));
            }

            Assert.Equal(runs.Count * perRun, handler.Seen.Count);
        }
        finally
        {
            await bus.StopAsync();
        }
    }
}
