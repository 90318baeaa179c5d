using System.Diagnostics;
using System.Text.RegularExpressions;
using OrleansTenancy.TestSupport;

namespace OrleansTenancy.Silo.Tests.Processes;

/// <summary>
/// The silo started as a user starts it: <c>dotnet OrleansTenancy.Silo.dll</c> (the build output the tests run beside,
/// with its shipped <c>appsettings.json</c>), in a working folder of the test's own, with an environment cleared of the
/// silo's variables so that only what a test sets applies. Readiness and exit are signalled by the process's output and
/// exit, never by polling.
/// </summary>
internal sealed partial class SiloProcess : IAsyncDisposable
{
    private static readonly string[] Cleared =
    [
        "ENABLE_TENANCY_STRICT", "ENABLE_INGEST_STRICT", "OPENROUTER_API_KEY", "OPENROUTER_BASE_URL", "OTEL_EXPORTER_OTLP_ENDPOINT",
        "ASPNETCORE_URLS", "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT", "URLS",
    ];

    private readonly System.Diagnostics.Process _process;
    private readonly List<string> _output = [];
    private readonly List<string> _standardOutput = [];
    private readonly List<string> _standardError = [];
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SiloProcess(System.Diagnostics.Process process) => _process = process;

    /// <summary>How long a start or an exit may take before the test fails (a bound, not a wait); generous because a
    /// silo process on a loaded 2-core machine has been seen to take 30–60 s to start.</summary>
    public static TimeSpan Bound { get; } = TimeSpan.FromSeconds(180);

    /// <summary>The silo program beside the test binaries.</summary>
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "OrleansTenancy.Silo.dll");

    public int Id => _process.Id;

    /// <summary>Everything the process printed so far (stdout and stderr, in arrival order).</summary>
    public string Output => Joined(_output);

    /// <summary>What the process wrote to stdout alone.</summary>
    public string StandardOutput => Joined(_standardOutput);

    /// <summary>What the process wrote to stderr alone.</summary>
    public string StandardError => Joined(_standardError);

    /// <summary>Copies the repository's shipped <c>tenants/</c> folder into <paramref name="workingDirectory"/>, as a checkout has it.</summary>
    public static void CopyShippedTenants(string workingDirectory)
    {
        var from = Path.Combine(RepositoryRoot.Find(), "tenants");
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(workingDirectory, "tenants", Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    /// <summary>Starts the silo in <paramref name="workingDirectory"/>; it listens on a free loopback port unless the arguments say otherwise.</summary>
    public static SiloProcess Start(string workingDirectory, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("TENANCY__", StringComparison.OrdinalIgnoreCase) || Cleared.Contains(k, StringComparer.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        start.ArgumentList.Add(Dll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = new System.Diagnostics.Process { StartInfo = start, EnableRaisingEvents = true };
        var silo = new SiloProcess(process);
        process.OutputDataReceived += (_, e) => silo.Record(e.Data, silo._standardOutput);
        process.ErrorDataReceived += (_, e) => silo.Record(e.Data, silo._standardError);
        process.Exited += (_, _) =>
        {
            silo._listening.TrySetException(new InvalidOperationException($"The silo exited with code {process.ExitCode} before listening:\n{silo.Output}"));
            silo._started.TrySetException(new InvalidOperationException($"The silo exited with code {process.ExitCode} before it started:\n{silo.Output}"));
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return silo;
    }

    /// <summary>
    /// The arguments that put the silo on free ports: HTTP on a loopback port the system picks (the shipped settings name
    /// 8080, which may be taken) and Orleans silo and gateway ports of its own, so that silos of several tests run side by side.
    /// </summary>
    public static string[] FreePort
    {
        get
        {
            var orleans = FreePorts.Take(2);
            return
            [
                "--urls", "http://127.0.0.1:0",
                "--Cluster:SiloPort", orleans[0].ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--Cluster:GatewayPort", orleans[1].ToString(System.Globalization.CultureInfo.InvariantCulture),
            ];
        }
    }

    /// <summary>The address the silo listens on, once it has started.</summary>
    public async Task<Uri> StartedAsync()
    {
        var address = await _listening.Task.WaitAsync(Bound);
        await _started.Task.WaitAsync(Bound);
        return address;
    }

    /// <summary>Waits for the process to end and returns its exit code.</summary>
    public async Task<int> ExitedAsync()
    {
        await _process.WaitForExitAsync().WaitAsync(Bound);
        _process.WaitForExit(); // drains the redirected output
        return _process.ExitCode;
    }

    /// <summary>Asks the silo to stop as a service manager does (SIGTERM).</summary>
    public void Terminate() => Signal("TERM");

    /// <summary>Stops the silo with SIGTERM and returns its exit code.</summary>
    public Task<int> StopAsync()
    {
        Terminate();
        return ExitedAsync();
    }

    /// <summary>Kills the silo without a chance to clean up (SIGKILL).</summary>
    public void Kill() => Signal("KILL");

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Signal(string name)
    {
        using var kill = System.Diagnostics.Process.Start(new ProcessStartInfo("kill", ["-" + name, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))!;
        kill.WaitForExit();
    }

    private void Record(string? line, List<string> stream)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(line);
            stream.Add(line);
        }

        if (Listening().Match(line) is { Success: true } match)
        {
            _listening.TrySetResult(new Uri(match.Groups[1].Value));
        }
        else if (line.Contains("Application started.", StringComparison.Ordinal))
        {
            _started.TrySetResult();
        }
    }

    private string Joined(List<string> lines)
    {
        lock (_output)
        {
            return string.Join('\n', lines);
        }
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex Listening();
}
