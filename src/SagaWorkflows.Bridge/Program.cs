using SagaWorkflows.Hosting;
using SagaWorkflows.Hosting.Health;

namespace SagaWorkflows.Bridge;

/// <summary>
/// The standalone bridge (<c>dotnet run --project src/SagaWorkflows.Bridge</c>), wired exactly as an
/// application that maps the bridge into itself would. An explicit internal class rather than top-level
/// statements: those would put a public <c>Program</c> into the package and clash with the user's own.
/// </summary>
internal static class BridgeHost
{
    public static void Main(string[] args)
    {
        // Content root = the app's folder, so an appsettings.json beside the DLL is read wherever it is started from.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

        // Defaults beneath every other source (--urls, ASPNETCORE_URLS, environment, appsettings). Kept in code
        // rather than in an appsettings.json, which would be copied into every project that references this one.
        builder.Configuration.AddSagaWorkflowsHostDefaults(new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:5080",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        });

        builder.Services.AddSagaWorkflowsServiceDefaults(builder.Configuration, "sagawf-bridge", servesHttp: true);
        builder.Services.AddSagaWorkflowsBridge(builder.Configuration);
        builder.Services.AddSagaWorkflowsBus(builder.Configuration.ReadBusOptions(), x => x.AddSagaWorkflowsBridgeConsumers());

        var app = builder.Build();
        app.UseStatusCodePages();
        app.MapSagaWorkflowsHealth();
        app.MapSagaWorkflowsBridge();
        app.Run();
    }
}
