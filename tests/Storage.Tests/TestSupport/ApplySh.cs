using System.Diagnostics;
using OrleansTenancy.TestSupport;

namespace OrleansTenancy.TestSupport;

/// <summary>Runs <c>deploy/sql/apply.sh</c> as an operator would.</summary>
public static class ApplySh
{
    /// <summary>Runs the script with <paramref name="connectionString"/> (none: no argument) and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string? connectionString)
    {
        var script = Path.Combine(RepositoryRoot.Find(), "deploy", "sql", "apply.sh");
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        if (connectionString is not null)
        {
            start.ArgumentList.Add(connectionString);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        return (process.ExitCode, await stdout + await stderr);
    }
}
