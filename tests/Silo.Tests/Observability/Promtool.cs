using System.Diagnostics;
using OrleansTenancy.TestSupport;

namespace OrleansTenancy.Silo.Tests.Observability;

/// <summary>Runs Prometheus' <c>promtool</c>, installing it with the repository's deploy script when missing.</summary>
internal static class Promtool
{
    private static readonly Lazy<string> Path = new(Locate);

    /// <summary><c>promtool check metrics</c> on an exposition read from standard input.</summary>
    public static Task<(int ExitCode, string Output)> CheckMetricsAsync(string exposition) => RunAsync(["check", "metrics"], exposition);

    /// <summary>Runs <c>promtool <paramref name="args"/></c>, feeding <paramref name="input"/> to its standard input.</summary>
    /// <returns>The exit code and standard output followed by standard error.</returns>
    public static async Task<(int ExitCode, string Output)> RunAsync(IEnumerable<string> args, string input = "")
    {
        var start = new ProcessStartInfo(Path.Value, args)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, (await stdout) + (await stderr));
    }

    private static string Locate()
    {
        var found = FindOnPath();
        if (found is not null)
            return found;

        var root = RepositoryRoot.Find();
        var script = System.IO.Path.Combine(root, "deploy", "install-deps.sh");
        using (var install = Process.Start(new ProcessStartInfo("bash", [script]) { RedirectStandardOutput = true, RedirectStandardError = true })!)
        {
            var output = install.StandardOutput.ReadToEnd() + install.StandardError.ReadToEnd();
            install.WaitForExit();
            found = FindOnPath();
            if (found is null)
            {
                throw new InvalidOperationException(
                    $"promtool is not on PATH and '{script}' (exit {install.ExitCode}) did not install it. " +
                    $"Run 'sudo bash deploy/install-deps.sh' or install the 'prometheus' package. Installer output:\n{output}");
            }
        }

        return found;
    }

    private static string? FindOnPath() =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => System.IO.Path.Combine(dir, "promtool"))
            .FirstOrDefault(File.Exists);
}
