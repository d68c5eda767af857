using System.Text.Json.Nodes;
using SagaWorkflows.WorkerSdk.Tools;

namespace SagaWorkflows.WorkerSdk.Samples;

/// <summary>The sample worker's tools, used by the demo, the README and black-box tests.</summary>
public static class DemoTools
{
    /// <param name="worker">The worker to host the tools.</param>
    /// <param name="outages">The outages the <c>downstream</c> tool obeys; without it, no service is ever down.</param>
    public static SagaWorkflowsWorkerBuilder AddDemoTools(this SagaWorkflowsWorkerBuilder worker, DemoOutages? outages = null)
    {
        ArgumentNullException.ThrowIfNull(worker);
        var downstream = new DownstreamTool(outages ?? new DemoOutages());
        worker.AddTool("echo", (input, _) => Task.FromResult(input?.DeepClone()));
        worker.AddTool("delay", async (input, ct) =>
        {
            var ms = input?["ms"]?.GetValue<int>() ?? 200;
            await Task.Delay(ms, ct);
            return input?.DeepClone();
        });
        worker.AddToolWithContext("flaky", (context, _) =>
        {
            var failTimes = context.Input?["failTimes"]?.GetValue<int>() ?? 2;
            var errorType = context.Input?["errorType"]?.GetValue<string>() ?? "Transient";
            if (context.Attempt <= failTimes)
            {
                throw new ToolException(errorType, $"flaky: attempt {context.Attempt} of {failTimes} planned failures");
            }

            return Task.FromResult<JsonNode?>(new JsonObject { ["attempt"] = context.Attempt });
        });
        worker.AddTool("fail", (input, _) =>
        {
            var errorType = input?["errorType"]?.GetValue<string>() ?? "Boom";
            var message = input?["message"]?.GetValue<string>() ?? "the fail tool always fails";
            throw new ToolException(errorType, message);
        });
        worker.Tools.Add(_ => downstream);
        worker.AddChatClient("default", _ => new OfflineDemoChatClient());
        return worker;
    }
}
