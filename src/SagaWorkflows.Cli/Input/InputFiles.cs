namespace SagaWorkflows.Cli.Input;

/// <summary>Reads the files a user names, turning every way that can fail into a clear error.</summary>
public static class InputFiles
{
    /// <param name="what">What the file is for, e.g. "definition file", for the message.</param>
    public static string ReadText(string path, string what)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new CliException(ExitCodes.Usage, $"no path given for the {what}");
        }

        if (Directory.Exists(path))
        {
            throw new CliException(ExitCodes.InvalidInput, $"{what} '{path}' is a directory, not a file");
        }

        if (!File.Exists(path))
        {
            throw new CliException(ExitCodes.InvalidInput, $"{what} '{path}' does not exist",
                $"looked for {Path.GetFullPath(path)}");
        }

        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCodes.InvalidInput, $"cannot read {what} '{path}': {ex.Message}");
        }
    }
}
