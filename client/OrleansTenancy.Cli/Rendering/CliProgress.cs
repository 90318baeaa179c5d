using Spectre.Console;

namespace OrleansTenancy.Cli.Rendering;

/// <summary>
/// A spinner with a line saying what the CLI waits for, drawn on standard error while a call to the silo runs. It is
/// drawn only when that stream is an interactive terminal with escape codes, and it clears itself when the call ends,
/// so pipes, files and logs never see it.
/// </summary>
public static class CliProgress
{
    /// <summary>Runs <paramref name="work"/>, showing <paramref name="activity"/> on <paramref name="console"/> when it is a terminal.</summary>
    /// <typeparam name="T">What the work returns.</typeparam>
    /// <param name="console">Standard error.</param>
    /// <param name="activity">What is being waited for, in plain text (e.g. "Reconciling acme").</param>
    /// <param name="work">The work; it may update the line through the callback it is given (plain text).</param>
    public static async Task<T> RunAsync<T>(IAnsiConsole console, string activity, Func<Action<string>, Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(work);
        var capabilities = console.Profile.Capabilities;
        if (!capabilities.Interactive || !capabilities.Ansi)
        {
            return await work(static _ => { }).ConfigureAwait(false);
        }

        return await console.Status()
            .Spinner(Spinner.Known.Dots)
            .StartAsync(Markup.Escape(activity) + "…", context => work(text => context.Status(Markup.Escape(text) + "…")))
            .ConfigureAwait(false);
    }
}
