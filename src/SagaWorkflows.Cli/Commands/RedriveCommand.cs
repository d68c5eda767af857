using System.CommandLine;
using System.Net;
using System.Text;
using System.Text.Json;
using SagaWorkflows.Cli.Rendering;
using SagaWorkflows.Cli.Watching;
using Spectre.Console;

namespace SagaWorkflows.Cli.Commands;

/// <summary>
/// <c>sagawf redrive &lt;runId&gt;</c>: asks the bridge (<c>POST /runs/{runId}/redrive</c>) to continue a failed run from
/// the step that failed. It goes through the bridge rather than RabbitMQ because the answer matters: the bridge
/// waits for the orchestrator and says whether the run went on, or why it was refused.
/// </summary>
internal static class RedriveCommand
{
    /// <summary>The bridge waits for the orchestrator (10 s by default); this leaves it room.</summary>
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(60);

    public static Command Create(CliConsole console)
    {
        var runId = CommonArguments.RunId();
        var bridge = CommonArguments.Bridge();
        var command = new Command("redrive",
            "Continue a failed run from the step that failed: completed steps keep their outputs and are not run again; the failed step " +
            "runs again with fresh attempts. Asks the SSE bridge (POST /runs/{runId}/redrive), which says whether the orchestrator redrove " +
            "the run or why it refused (a run that completed, was compensated or cancelled, or is still running).")
        {
            runId, bridge,
        };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(console, async ct =>
        {
            var id = parseResult.GetValue(runId);
            var address = BridgeAddress.Resolve(parseResult.GetValue(bridge));
            using var http = RunWatcher.CreateHttpClient();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(RequestTimeout);
            HttpResponseMessage response;
            string body;
            try
            {
                using var content = new StringContent("{}", Encoding.UTF8, "application/json");
                response = await http.PostAsync(new Uri(address.Uri, $"runs/{id}/redrive"), content, timeout.Token);
                body = await response.Content.ReadAsStringAsync(timeout.Token);
            }
            catch (Exception ex) when (!ct.IsCancellationRequested && ex is HttpRequestException or OperationCanceledException)
            {
                throw new CliException(ExitCodes.Unreachable,
                    $"the bridge at {address.Uri} could not be reached ({(ex is OperationCanceledException ? $"no answer within {RequestTimeout.TotalSeconds:0} s" : ex.GetBaseException().Message)})",
                    $"start it (dotnet run --project src/SagaWorkflows.Bridge) or point --bridge / {BridgeAddress.EnvironmentVariable} at it");
            }

            using (response)
            {
                var detail = Field(body, "detail");
                switch (response.StatusCode)
                {
                    case HttpStatusCode.Accepted:
                        var after = Field(body, "afterSequence");
                        if (Field(body, "outcome") == "redriven")
                        {
                            console.Out.MarkupLine($"[green]✔ run {id} redriven[/] [grey]· going on after event {Markup.Escape(after ?? "?")}, via {Markup.Escape(address.Uri.ToString())}[/]");
                        }
                        else
                        {
                            console.Out.MarkupLine($"[yellow]… redrive of run {id} sent[/] [grey]· the orchestrator has not answered yet[/]");
                        }

                        console.Out.MarkupLine($"[grey]  follow it with: sagawf watch {id}[/]");
                        return ExitCodes.Success;
                    case HttpStatusCode.NotFound:
                        throw new CliException(ExitCodes.UnknownRun, detail ?? $"the bridge has no run {id}");
                    case HttpStatusCode.Conflict:
                        throw new CliException(ExitCodes.Refused, $"run {id} cannot be redriven: {detail ?? "refused"}");
                    case HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden:
                        throw new CliException(ExitCodes.Unreachable, $"the bridge at {address.Uri} refused the request ({(int)response.StatusCode})",
                            $"set {RunWatcher.KeyVariable} to one of the bridge's API keys");
                    default:
                        throw new CliException(ExitCodes.Unreachable,
                            $"the bridge at {address.Uri} answered {(int)response.StatusCode} {response.ReasonPhrase}{(detail is null ? "" : $" ({detail})")}");
                }
            }
        }, cancellationToken));
        return command;
    }

    private static string? Field(string body, string name)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty(name, out var value)
                ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
