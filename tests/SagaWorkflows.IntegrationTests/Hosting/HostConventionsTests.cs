using SagaWorkflows.IntegrationTests.Infrastructure;
using SagaWorkflows.IntegrationTests.Runs;
using SagaWorkflows.Testing;

namespace SagaWorkflows.IntegrationTests.Hosting;

/// <summary>
/// The hosts run the way deployments start them, from a working directory that is not their folder
/// (the fixture starts them in a temporary one): their content root is still their own folder, where the
/// appsettings.json beside the DLL is, and EF Core's per-command SQL log stays out of the output.
/// </summary>
public sealed class HostConventionsTests(WorkflowSystem system) : IClassFixture<WorkflowSystem>
{
    [Fact]
    public async Task Hosts_started_from_another_folder_use_their_own_folder_as_content_root_and_do_not_log_each_SQL_command()
    {
        var runId = await system.StartRunAsync(SequentialRunTests.ThreeSteps, new { orderId = "O-1", n = 1 });
        await system.Events.WaitForTerminalAsync(runId, TimeSpan.FromSeconds(60), system.Diagnostics);

        foreach (var (host, project) in new[] { (system.Orchestrator!, "SagaWorkflows.Orchestrator"), (system.Worker!, "SagaWorkflows.Worker") })
        {
            var folder = Path.GetDirectoryName(RepositoryPaths.HostAssembly(project))!;
            Assert.Contains($"Content root path: {folder}{Path.DirectorySeparatorChar}", host.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("Executed DbCommand", host.Output, StringComparison.Ordinal);
        }
    }
}
