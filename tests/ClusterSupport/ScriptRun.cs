using System.Diagnostics;
using System.Text;

namespace OrleansTenancy.Cluster.TestSupport;

/// <summary>One run of a shell script of the repository, with its exit code and everything it printed.</summary>
/// <param name="ExitCode">The script's exit code.</param>
/// <param name="Output">Its standard output and error, interleaved as they arrived.</param>
public sealed record ScriptRun(int ExitCode, string Output)
{
    /// <summary>Runs <c>bash <paramref name="script"/> <paramref name="arguments"/></c> with <paramref name="environment"/> added.</summary>
    /// <param name="script">The script's path.</param>
    /// <param name="arguments">Its arguments.</param>
    /// <param name="environment">Variables set for it (a null value removes one).</param>
    /// <param name="timeout">How long it may take; it is killed after that.</param>
    public static async Task<ScriptRun> RunAsync(string script, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?> environment, TimeSpan timeout)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not run bash {script}.");
        var output = new StringBuilder();
        void Append(string? line)
        {
            if (line is not null)
            {
                lock (output)
                {
                    output.AppendLine(line);
                }
            }
        }

        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bash {script} {string.Join(' ', arguments)} did not finish within {timeout}:\n{output}");
        }

        // The asynchronous readers may still hold the last lines.
        process.WaitForExit();
        lock (output)
        {
            return new ScriptRun(process.ExitCode, output.ToString());
        }
    }
}
