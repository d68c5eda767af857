using System.Collections.Concurrent;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace SagaWorkflows.IntegrationTests.Operations;

/// <summary>
/// A minimal OTLP/HTTP (protobuf) collector on 127.0.0.1: accepts <c>POST /v1/traces</c>, <c>/v1/metrics</c> and <c>/v1/logs</c>,
/// and decodes from traces each span's service, scope, name, ids and attributes, and from metrics each metric's service and name.
/// Only the few fields of the OTLP protobuf messages it needs are read; everything else is skipped.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private OtlpReceiver(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }
    public ConcurrentQueue<ReceivedSpan> Spans { get; } = new();
    public ConcurrentQueue<(string Service, string Name)> Metrics { get; } = new();
    public ConcurrentDictionary<string, int> Requests { get; } = new();

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        OtlpReceiver? receiver = null;
        app.MapPost("/v1/{signal}", async (string signal, HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            receiver!.Receive(signal, request.ContentType, body.ToArray());
            return Results.Bytes([], "application/x-protobuf");
        });
        await app.StartAsync();
        receiver = new OtlpReceiver(app, new Uri(app.Urls.Single()));
        return receiver;
    }

    private void Receive(string signal, string? contentType, byte[] body)
    {
        Requests.AddOrUpdate($"{signal} {contentType}", 1, (_, n) => n + 1);
        if (signal == "traces")
        {
            foreach (var resourceSpans in Fields(body, 1))
            {
                var service = ServiceName(resourceSpans);
                foreach (var scopeSpans in Fields(resourceSpans, 2))
                {
                    var scope = Fields(scopeSpans, 1).Select(s => Text(s, 1)).FirstOrDefault() ?? "";
                    foreach (var span in Fields(scopeSpans, 2))
                    {
                        Spans.Enqueue(new ReceivedSpan(service, scope, Text(span, 5) ?? "", Convert.ToHexStringLower(Fields(span, 1).FirstOrDefault() ?? []),
                            Attributes(Fields(span, 9))));
                    }
                }
            }
        }
        else if (signal == "metrics")
        {
            foreach (var resourceMetrics in Fields(body, 1))
            {
                var service = ServiceName(resourceMetrics);
                foreach (var scopeMetrics in Fields(resourceMetrics, 2))
                {
                    foreach (var metric in Fields(scopeMetrics, 2))
                    {
                        Metrics.Enqueue((service, Text(metric, 1) ?? ""));
                    }
                }
            }
        }
    }

    private static string ServiceName(byte[] resourceItems)
    {
        var resource = Fields(resourceItems, 1).FirstOrDefault() ?? [];
        return Attributes(Fields(resource, 1)).GetValueOrDefault("service.name") ?? "";
    }

    /// <summary>KeyValue { key = 1; AnyValue value = 2 }, AnyValue { string = 1; bool = 2; int = 3; double = 4 }: as text.</summary>
    private static Dictionary<string, string> Attributes(IEnumerable<byte[]> keyValues)
    {
        var attributes = new Dictionary<string, string>();
        foreach (var keyValue in keyValues)
        {
            var key = Text(keyValue, 1) ?? "";
            var value = Fields(keyValue, 2).FirstOrDefault();
            if (value is null)
            {
                continue;
            }

            var input = new CodedInputStream(value);
            uint tag;
            while ((tag = input.ReadTag()) != 0)
            {
                switch (WireFormat.GetTagFieldNumber(tag))
                {
                    case 1: attributes[key] = input.ReadString(); break;
                    case 2: attributes[key] = input.ReadBool() ? "true" : "false"; break;
                    case 3: attributes[key] = input.ReadInt64().ToString(System.Globalization.CultureInfo.InvariantCulture); break;
                    case 4: attributes[key] = input.ReadDouble().ToString(System.Globalization.CultureInfo.InvariantCulture); break;
                    default: input.SkipLastField(); break;
                }
            }
        }

        return attributes;
    }

    private static string? Text(byte[] message, int field) =>
        Fields(message, field).Select(b => System.Text.Encoding.UTF8.GetString(b)).FirstOrDefault();

    /// <summary>The length-delimited occurrences of <paramref name="field"/> in a protobuf message.</summary>
    private static List<byte[]> Fields(byte[] message, int field)
    {
        var found = new List<byte[]>();
        var input = new CodedInputStream(message);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == field && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
            {
                found.Add(input.ReadBytes().ToByteArray());
            }
            else
            {
                input.SkipLastField();
            }
        }

        return found;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    public sealed record ReceivedSpan(string Service, string Scope, string Name, string TraceId, Dictionary<string, string> Attributes);
}
