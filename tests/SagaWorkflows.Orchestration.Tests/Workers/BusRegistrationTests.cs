using System.Text.Json;
using System.Text.Json.Nodes;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SagaWorkflows.Contracts;
using SagaWorkflows.Hosting;
using SagaWorkflows.Testing;
using SagaWorkflows.WorkerSdk;
using SagaWorkflows.WorkerSdk.Tools;

namespace SagaWorkflows.Orchestration.Tests.Workers;

/// <summary>
/// The order of <c>AddSagaWorkflowsWorker</c>/<c>AddSagaWorkflowsBus</c> does not matter or fails loudly,
/// and SagaWorkflows joins an application's own <c>AddMassTransit</c> (in-memory transport, one process).
/// </summary>
public sealed class BusRegistrationTests : IDisposable
{
    private static readonly SagaWorkflowsBusOptions InMemory = new() { Transport = SagaWorkflowsTransport.InMemory };
    private readonly TempDirectory _directory = new("sagawf-registration-");

    [Fact]
    public async Task A_worker_added_after_the_bus_still_hosts_its_tools()
    {
        var builder = NewBuilder();
        var replies = new TaskCompletionSource<StepCompleted>(TaskCreationOptions.RunContinuationsAsynchronously);
        builder.Services.AddSagaWorkflowsBus(InMemory, configureBus: (_, cfg) =>
            cfg.ReceiveEndpoint("test-replies", e => e.Handler<StepCompleted>(c => Task.FromResult(replies.TrySetResult(c.Message)))));
        builder.Services.AddSagaWorkflowsWorker(w => w.AddTool<ShoutTool>());

        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var endpoint = await host.Services.GetRequiredService<IBus>().GetSendEndpoint(new Uri("queue:" + QueueNames.Tool("shout")));
            await endpoint.Send(new ExecuteTool
            {
                RunId = NewId.NextGuid(),
                ExecutionId = NewId.NextGuid(),
                StepId = "s",
                Path = "s",
                Tool = "shout",
                Input = JsonSerializer.SerializeToElement(new { text = "late" }),
            }, c => c.ResponseAddress = new Uri("queue:test-replies"));

            var reply = await replies.Task.WaitAsync(TimeSpan.FromSeconds(30));

            Assert.Equal("LATE!", reply.Output!.Value.GetProperty("text").GetString());
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public void The_orchestrator_added_after_the_bus_fails_at_once_saying_what_to_do()
    {
        var builder = NewBuilder();
        builder.Services.AddSagaWorkflowsBus(InMemory);

        var error = Assert.Throws<InvalidOperationException>(() =>
            builder.Services.AddSagaWorkflowsOrchestrator(Orchestrator(), InMemory));

        Assert.Contains("before AddSagaWorkflowsBus", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SagaWorkflows_joins_an_applications_own_AddMassTransit_and_runs_a_workflow_beside_its_consumers()
    {
        var builder = NewBuilder();
        var completed = new TaskCompletionSource<WorkflowLifecycleEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        builder.Services.AddSingleton(completed);
        builder.Services.AddSagaWorkflowsOrchestrator(Orchestrator(), InMemory);
        builder.Services.AddMassTransit(x =>
        {
            x.AddConsumer<AppOwnConsumer>();
            x.AddSagaWorkflows(InMemory);
            x.UsingInMemory((context, cfg) =>
            {
                cfg.UseSagaWorkflows(context);
                cfg.ConfigureEndpoints(context);
            });
        });
        builder.Services.AddSagaWorkflowsWorker(w => w.AddTool<ShoutTool>());

        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var runId = NewId.NextGuid();
            await host.Services.GetRequiredService<IBus>().Publish(new StartWorkflow
            {
                RunId = runId,
                Definition = """{ "id": "joined", "version": 1, "steps": [ { "id": "s", "type": "tool", "tool": "shout", "input": { "text": "${ input.text }" } } ], "output": "${ steps.s }" }""",
                Input = JsonSerializer.SerializeToElement(new { text = "joined" }),
            });

            var end = await completed.Task.WaitAsync(TimeSpan.FromSeconds(30));

            Assert.Equal(runId, end.RunId);
            Assert.Equal(LifecycleEventTypes.WorkflowComplete, end.Type);
            Assert.Equal("JOINED!", end.Data!.Value.GetProperty("output").GetProperty("text").GetString());
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task Joining_without_UseSagaWorkflows_in_the_bus_factory_refuses_to_start()
    {
        var builder = NewBuilder();
        builder.Services.AddSagaWorkflowsWorker(w => w.AddTool<ShoutTool>());
        builder.Services.AddMassTransit(x =>
        {
            x.AddSagaWorkflows(InMemory);
            x.UsingInMemory((context, cfg) => cfg.ConfigureEndpoints(context));
        });

        using var host = builder.Build();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.Contains("cfg.UseSagaWorkflows(context)", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _directory.Dispose();

    private static HostApplicationBuilder NewBuilder()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton<Exclaimer>();
        return builder;
    }

    private OrchestratorOptions Orchestrator() => new()
    {
        ConnectionString = $"Data Source={_directory.Combine("workflows.db")}",
        DefinitionsPath = null,
        TimerPollInterval = TimeSpan.FromMilliseconds(100),
    };

    /// <summary>A service the tool gets from the container, as a user's tool would.</summary>
    public sealed class Exclaimer
    {
        public string Mark { get; init; } = "!";

        public string Exclaim(string text) => text.ToUpperInvariant() + Mark;
    }

    public sealed class ShoutTool(Exclaimer exclaimer) : IWorkflowTool
    {
        public string Name => "shout";

        public Task<JsonNode?> ExecuteAsync(ToolContext context, CancellationToken cancellationToken) =>
            Task.FromResult<JsonNode?>(new JsonObject { ["text"] = exclaimer.Exclaim(context.Input?["text"]?.GetValue<string>() ?? "") });
    }

    /// <summary>The application's own consumer on the same bus: it sees the run's lifecycle events.</summary>
    public sealed class AppOwnConsumer(TaskCompletionSource<WorkflowLifecycleEvent> completed) : IConsumer<WorkflowLifecycleEvent>
    {
        public Task Consume(ConsumeContext<WorkflowLifecycleEvent> context)
        {
            if (context.Message.Type == LifecycleEventTypes.WorkflowComplete)
            {
                completed.TrySetResult(context.Message);
            }

            return Task.CompletedTask;
        }
    }
}
