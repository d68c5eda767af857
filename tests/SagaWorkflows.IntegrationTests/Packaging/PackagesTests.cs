using System.IO.Compression;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using SagaWorkflows.Contracts;
using SagaWorkflows.IntegrationTests.Infrastructure;
using SagaWorkflows.Testing;

namespace SagaWorkflows.IntegrationTests.Packaging;

/// <summary>The orchestrator alone in a vhost of its own: the workers are the sample's, built from packages.</summary>
public sealed class OrchestratorOnly : WorkflowSystem
{
    protected override bool StartWorker => false;
}

/// <summary>Packing and building are heavy: on a 2-core box they run alone, never beside other classes' host startups.</summary>
[CollectionDefinition(nameof(PackagingCollection), DisableParallelization = true)]
public sealed class PackagingCollection;

/// <summary>
/// What a user gets: the packages as packed (metadata, dependencies), the sagawf tool installed from them,
/// and examples/UserSolution (its own worker and publisher) built from them and run against the real broker
/// with the product's orchestrator. The README's snippets are the sample's code.
/// </summary>
[Collection(nameof(PackagingCollection))]
public sealed partial class PackagesTests(PackedFeed feed, OrchestratorOnly system) : IClassFixture<PackedFeed>, IClassFixture<OrchestratorOnly>
{
    private static readonly XNamespace Nuspec = "http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd";
    private static readonly string Sample = Path.Combine(RepositoryPaths.Root, "examples", "UserSolution");

    [Fact]
    public void Every_package_has_real_metadata_xml_docs_symbols_and_MassTransit_bounded_below_9()
    {
        foreach (var id in PackedFeed.Libraries)
        {
            using var package = ZipFile.OpenRead(feed.Package(id));
            // NuGet writes the oldest nuspec schema that holds the package: one without dependencies gets 2012/06's.
            var nuspec = ReadNuspec(package).Root!;
            var ns = nuspec.Name.Namespace;
            var metadata = nuspec.Element(ns + "metadata")!;

            Assert.Equal(feed.Version, metadata.Element(ns + "version")!.Value);
            var description = metadata.Element(ns + "description")!.Value;
            Assert.True(description.Length > 60 && description != "Package Description", $"{id}: description '{description}'");
            Assert.Equal("Apache-2.0", metadata.Element(ns + "license")!.Value);
            Assert.Equal("README.md", metadata.Element(ns + "readme")!.Value);
            Assert.False(string.IsNullOrEmpty(metadata.Element(ns + "repository")?.Attribute("url")?.Value), $"{id}: no repository");
            Assert.Contains("masstransit", metadata.Element(ns + "tags")!.Value, StringComparison.Ordinal);
            Assert.Contains(package.Entries, e => e.FullName == "README.md");
            Assert.Contains(package.Entries, e => e.FullName == "LICENSE");
            Assert.Contains(package.Entries, e => e.FullName == $"lib/net10.0/{id}.xml");
            Assert.True(File.Exists(feed.Package(id, "snupkg")), $"{id}: no symbol package");

            foreach (var dependency in metadata.Descendants(ns + "dependency"))
            {
                var name = dependency.Attribute("id")!.Value;
                if (name.StartsWith("MassTransit", StringComparison.Ordinal))
                {
                    Assert.Equal("[8.5.11, 9.0.0)", dependency.Attribute("version")!.Value);
                }
                else if (name.StartsWith("SagaWorkflows.", StringComparison.Ordinal))
                {
                    Assert.Equal(feed.Version, dependency.Attribute("version")!.Value);
                }
            }
        }

        using (var contracts = ZipFile.OpenRead(feed.Package("SagaWorkflows.Contracts")))
        {
            var dependencies = ReadNuspec(contracts).Descendants(Nuspec + "dependency").Select(d => d.Attribute("id")!.Value);
            Assert.Equal(["MassTransit.Abstractions"], dependencies);
        }

        // The hosts are applications, not libraries: nothing else is packed.
        var packed = Directory.GetFiles(feed.Feed, "*.nupkg").Select(Path.GetFileName).Order().ToList();
        Assert.Equal(PackedFeed.Libraries.Append(PackedFeed.ToolPackage).Select(id => $"{id}.{feed.Version}.nupkg").Order(), packed);
    }

    [Fact]
    public async Task The_sagawf_tool_installs_from_the_feed_into_a_folder_and_runs()
    {
        var tools = Path.Combine(feed.Directory, "tools");
        var install = await DotNet.RunAsync(feed.Directory, TimeSpan.FromMinutes(2),
            "tool", "install", PackedFeed.ToolPackage, "--tool-path", tools, "--version", feed.Version, "--add-source", feed.Feed);
        Assert.True(install.ExitCode == 0, install.ToString());

        var help = await DotNet.RunProgramAsync(Path.Combine(tools, "sagawf"), feed.Directory, TimeSpan.FromMinutes(1), new Dictionary<string, string>(), "--help");

        Assert.True(help.ExitCode == 0, help.ToString());
        Assert.Contains("validate", help.StdOut, StringComparison.Ordinal);
        Assert.Contains("Exit codes:", help.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_sample_user_solution_builds_from_the_packages_and_runs_an_order_and_a_compensated_order()
    {
        Assert.Equal(PackedFeed.DeclaredVersion, SampleDefaultVersion());
        var solution = CopySample();
        var worker = await BuildAsync(solution, "Shop.Worker");
        var publisher = await BuildAsync(solution, "Shop.Publisher");
        var environment = new Dictionary<string, string> { ["ConnectionStrings__RabbitMq"] = Broker.AmqpUri(system.VirtualHost) };

        await using var workerProcess = HostProcess.StartAssembly("Shop.Worker", worker, environment, solution);
        await system.WaitForConsumerAsync(QueueNames.Tool("inventory.reserve"), workerProcess);
        await system.WaitForConsumerAsync(QueueNames.Compensation("inventory.release"), workerProcess);

        var completed = await DotNet.RunProgramAsync("dotnet", solution, TimeSpan.FromSeconds(90), environment, publisher);
        Assert.True(completed.ExitCode == 0, $"{completed}\n{system.Diagnostics()}\n--- sample worker ---\n{workerProcess.Tail()}");
        Assert.Contains("workflow-complete", completed.StdOut, StringComparison.Ordinal);

        var declined = await DotNet.RunProgramAsync("dotnet", solution, TimeSpan.FromSeconds(90), environment, publisher, "declined");
        Assert.True(declined.ExitCode == 5, $"{declined}\n{system.Diagnostics()}\n--- sample worker ---\n{workerProcess.Tail()}");
        Assert.Matches(@"step-compensated\s+reserve", declined.StdOut);
        Assert.Contains("back in stock", workerProcess.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_sample_user_solutions_tests_run_its_tools_in_the_test_kit_from_the_packages()
    {
        var solution = CopySample("UserSolutionTests");
        var result = await DotNet.RunAsync(solution, TimeSpan.FromMinutes(6),
            "test", "Shop.Tests", "-c", "Release", $"-p:SagaWorkflowsVersion={feed.Version}", "-nodeReuse:false");

        Assert.True(result.ExitCode == 0, $"the sample's tests failed:\n{result}");
        Assert.Matches(@"Passed!\s+-\s+Failed:\s+0,\s+Passed:\s+3", result.StdOut);
    }

    [Fact]
    public void Every_README_snippet_marked_in_the_sample_appears_verbatim_in_the_README()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "README.md")).ReplaceLineEndings("\n");
        var snippets = Directory.EnumerateFiles(Sample, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => Snippet().Matches(File.ReadAllText(f).ReplaceLineEndings("\n")).Select(m => (File: Path.GetFileName(f), Name: m.Groups["name"].Value, Code: Unindent(m.Groups["code"].Value))))
            .ToList();

        Assert.Equal(["compensation", "definition", "start", "testkit", "tool", "worker"], snippets.Select(s => s.Name).Order());
        foreach (var (file, name, code) in snippets)
        {
            Assert.True(readme.Contains(code, StringComparison.Ordinal), $"README.md lacks the '{name}' snippet of {file}, verbatim:\n{code}");
        }
    }

    [GeneratedRegex(@"^[ \t]*// README: (?<name>[a-z]+)\n(?<code>.*?)^[ \t]*// README: end\n", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex Snippet();

    private static string Unindent(string code)
    {
        var lines = code.TrimEnd('\n').Split('\n');
        var indent = lines.Where(l => l.Trim().Length > 0).Min(l => l.Length - l.TrimStart().Length);
        return string.Join('\n', lines.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart()));
    }

    private static XDocument ReadNuspec(ZipArchive package)
    {
        using var stream = package.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open();
        return XDocument.Load(stream);
    }

    private static string SampleDefaultVersion() =>
        Regex.Match(File.ReadAllText(Path.Combine(Sample, "Directory.Build.props")), "<SagaWorkflowsVersion[^>]*>(?<v>[^<]+)<").Groups["v"].Value;

    /// <summary>The sample in a folder of its own, as a user's checkout, with a nuget.config adding the feed.</summary>
    private string CopySample(string folder = "UserSolution")
    {
        var target = Path.Combine(feed.Directory, folder);
        foreach (var file in Directory.EnumerateFiles(Sample, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(Sample, file);
            if (relative.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            {
                continue;
            }

            var destination = Path.Combine(target, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }

        File.WriteAllText(Path.Combine(target, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="sagaworkflows-packed" value="{feed.Feed}" />
              </packageSources>
            </configuration>
            """);
        return target;
    }

    private async Task<string> BuildAsync(string solution, string project)
    {
        var result = await DotNet.RunAsync(solution, TimeSpan.FromMinutes(4),
            "build", project, "-c", "Release", $"-p:SagaWorkflowsVersion={feed.Version}", "-nodeReuse:false");
        Assert.True(result.ExitCode == 0, $"building {project} from the packages failed:\n{result}");
        return Path.Combine(solution, project, "bin", "Release", "net10.0", project + ".dll");
    }
}
