namespace SagaWorkflows.Testing;

/// <summary>
/// A new, empty folder of one test (or fixture) under the system's temp folder, deleted with everything in it
/// when disposed. The one way tests make a scratch folder.
/// </summary>
public sealed class TempDirectory : IDisposable
{
    /// <param name="prefix">Starts the folder's name, to tell in /tmp which test left it (a random suffix follows).</param>
    public TempDirectory(string prefix = "sagawf-test-") => Path = Directory.CreateTempSubdirectory(prefix).FullName;

    public string Path { get; }

    /// <summary>The path of <paramref name="name"/> (a file or folder, not created) inside this folder.</summary>
    public string Combine(string name) => System.IO.Path.Combine(Path, name);

    public override string ToString() => Path;

    /// <summary>Deletes the folder; a host that still holds a file open may leave it behind, which harms no later test.</summary>
    public void Dispose()
    {
        try
        {
            if (Directory.Exists(Path))
            {
                Directory.Delete(Path, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Every test has its own folder: a leftover in /tmp is only clutter.
        }
    }
}
