using Microsoft.Extensions.Configuration;
using SagaWorkflows.Hosting;

namespace SagaWorkflows.Cli.Messaging;

/// <summary>
/// Which RabbitMQ the CLI talks to: <c>--rabbitmq</c>, else <c>ConnectionStrings__RabbitMq</c> (the same
/// setting every SagaWorkflows process reads), else the local default.
/// </summary>
public sealed record BrokerAddress(Uri Uri, string Source)
{
    public const string EnvironmentVariable = "ConnectionStrings__RabbitMq";

    /// <summary>The URI without its password, for messages.</summary>
    public string Display => Redact(Uri);

    public static BrokerAddress Resolve(string? option)
    {
        if (option is not null)
        {
            return Parse(option, "--rabbitmq");
        }

        var configured = new ConfigurationBuilder().AddEnvironmentVariables().Build().GetConnectionString("RabbitMq");
        return string.IsNullOrWhiteSpace(configured)
            ? Parse(SagaWorkflowsBusOptions.DefaultRabbitMq, "the default")
            : Parse(configured, EnvironmentVariable);
    }

    private static BrokerAddress Parse(string value, string source)
    {
        if (Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "amqp" or "amqps" && uri.Host.Length > 0)
        {
            return new BrokerAddress(uri, source);
        }

        throw new CliException(ExitCodes.Usage, $"{source} '{value}' is not a RabbitMQ URI",
            "use the form amqp://user:password@host:5672/vhost, e.g. amqp://guest:guest@localhost:5672/");
    }

    private static string Redact(Uri uri)
    {
        if (uri.UserInfo.Length == 0)
        {
            return uri.ToString();
        }

        var user = uri.UserInfo.Split(':')[0];
        return new UriBuilder(uri) { UserName = user, Password = uri.UserInfo.Contains(':', StringComparison.Ordinal) ? "***" : "" }.Uri.ToString();
    }
}
