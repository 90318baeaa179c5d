using System.Diagnostics;
using System.Text;

namespace OrleansTenancy.Cli.Tests;

/// <summary>What one run of <c>tenancy</c> printed and returned.</summary>
/// <param name="ExitCode">The process exit code.</param>
/// <param name="Stdout">Standard output (in a terminal run: everything the terminal showed).</param>
/// <param name="Stderr">Standard error (empty in a terminal run, where it shares the terminal with standard output).</param>
public sealed record CliRun(int ExitCode, string Stdout, string Stderr);

/// <summary>
/// Runs the built <c>tenancy</c> executable as an operator does: either with standard output and error redirected to
/// pipes (as in a script), or inside a pseudo-terminal made by util-linux <c>script</c> (as in an interactive shell).
/// The environment is exactly what the test gives plus PATH and HOME, so the machine's NO_COLOR or TERM never leak in.
/// </summary>
public sealed class CliProcess : IAsyncDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Task _readers;
    private readonly string _description;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private CliProcess(ProcessStartInfo start, string description)
    {
        _description = description;
        _process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {description}.");
        _process.StandardInput.Close();
        _readers = Task.WhenAll(PumpAsync(_process.StandardOutput, _stdout), PumpAsync(_process.StandardError, _stderr));
    }

    /// <summary>The built executable, copied beside the tests by the project reference.</summary>
    public static string Executable { get; } = Path.Combine(AppContext.BaseDirectory, "tenancy");

    /// <summary>Starts <c>tenancy <paramref name="args"/></c> with pipes for standard output and error.</summary>
    public static CliProcess Start(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = StartInfo(Executable, environment);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return new CliProcess(start, "tenancy " + string.Join(' ', args));
    }

    /// <summary>Starts <c>tenancy <paramref name="args"/></c> in a pseudo-terminal <paramref name="columns"/> wide.</summary>
    public static CliProcess StartInTerminal(IReadOnlyDictionary<string, string> environment, int columns, params string[] args)
    {
        var command = $"stty cols {columns} rows 50 2>/dev/null; exec {Quote(Executable)} {string.Join(' ', args.Select(Quote))}";
        var start = StartInfo("script", environment);
        foreach (var arg in new[] { "--quiet", "--return", "--command", command, "/dev/null" })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["SHELL"] = "/bin/sh";
        return new CliProcess(start, "tenancy " + string.Join(' ', args) + " (in a terminal)");
    }

    /// <summary>Runs <c>tenancy <paramref name="args"/></c> with pipes to the end.</summary>
    public static async Task<CliRun> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        await using var process = Start(environment, args);
        return await process.CompletedAsync();
    }

    /// <summary>Runs <c>tenancy <paramref name="args"/></c> in a terminal to the end.</summary>
    public static async Task<CliRun> RunInTerminalAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        await using var process = StartInTerminal(environment, 200, args);
        return await process.CompletedAsync();
    }

    /// <summary>Standard output so far.</summary>
    public string Stdout
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    /// <summary>Waits until standard output contains <paramref name="text"/>.</summary>
    public async Task WaitForOutputAsync(string text)
    {
        using var timeout = new CancellationTokenSource(Deadline);
        while (true)
        {
            Task changed;
            lock (_stdout)
            {
                if (_stdout.ToString().Contains(text, StringComparison.Ordinal))
                {
                    return;
                }

                changed = _changed.Task;
            }

            if (_process.HasExited && _readers.IsCompleted)
            {
                throw new Xunit.Sdk.XunitException($"{_description} exited ({_process.ExitCode}) without printing '{text}'. Output:\n{Stdout}\nErrors:\n{_stderr}");
            }

            try
            {
                await Task.WhenAny(changed, _readers).WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new Xunit.Sdk.XunitException($"{_description} did not print '{text}' within {Deadline.TotalSeconds} s. Output so far:\n{Stdout}");
            }
        }
    }

    /// <summary>Waits for the process to end and returns what it printed.</summary>
    public async Task<CliRun> CompletedAsync()
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(Deadline);
            await _readers.WaitAsync(Deadline);
        }
        catch (TimeoutException)
        {
            throw new Xunit.Sdk.XunitException($"{_description} did not end within {Deadline.TotalSeconds} s. Output so far:\n{Stdout}\nErrors:\n{_stderr}");
        }

        lock (_stderr)
        {
            return new CliRun(_process.ExitCode, Stdout, _stderr.ToString());
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static ProcessStartInfo StartInfo(string fileName, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            UseShellExecute = false,
        };
        start.Environment.Clear();
        foreach (var name in new[] { "PATH", "HOME", "DOTNET_ROOT" })
        {
            if (Environment.GetEnvironmentVariable(name) is { } value)
            {
                start.Environment[name] = value;
            }
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return start;
    }

    private static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private async Task PumpAsync(StreamReader reader, StringBuilder into)
    {
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            TaskCompletionSource changed;
            lock (into)
            {
                into.Append(buffer, 0, read);
            }

            lock (_stdout)
            {
                changed = _changed;
                _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            changed.TrySetResult();
        }
    }
}
