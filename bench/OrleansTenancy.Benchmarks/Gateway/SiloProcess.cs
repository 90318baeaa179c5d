using System.Diagnostics;
using System.Globalization;
using OrleansTenancy.Benchmarks.Hosting;

namespace OrleansTenancy.Benchmarks.Gateway;

/// <summary>
/// The silo program started as a child process on a loopback port, so that its CPU time is its own and not the load
/// generator's. Its console output is counted (and the tail kept for failures), not printed.
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Queue<string> _tail = new();
    private int _outputLines;

    private SiloProcess(Process process, Uri baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    /// <summary>Lines the silo has written to stdout and stderr so far.</summary>
    public int OutputLines => Volatile.Read(ref _outputLines);

    public TimeSpan ProcessorTime
    {
        get
        {
            _process.Refresh();
            if (_process.HasExited)
            {
                throw new InvalidOperationException(
                    $"The silo at {BaseUrl} exited with code {_process.ExitCode}. Its last output:{Environment.NewLine}{Tail()}");
            }

            return _process.TotalProcessorTime;
        }
    }

    /// <summary>
    /// Waits until the silo's work left over from the last load is done: until it uses under a tenth of one core over
    /// a quarter of a second, at most <paramref name="limit"/>. Returns how long that took, which is the silo's backlog
    /// at the moment its load stopped (settlements and writes it answered ahead of).
    /// </summary>
    public async Task<TimeSpan> WaitUntilQuietAsync(TimeSpan limit)
    {
        var window = TimeSpan.FromMilliseconds(250);
        var started = Stopwatch.GetTimestamp();
        var before = ProcessorTime;
        while (Stopwatch.GetElapsedTime(started) < limit)
        {
            await Task.Delay(window);
            var now = ProcessorTime;
            if ((now - before) < window / 10)
            {
                return Stopwatch.GetElapsedTime(started) - window;
            }

            before = now;
        }

        return Stopwatch.GetElapsedTime(started);
    }

    public static async Task<SiloProcess> StartAsync(
        string siloDll, string tenantsDir, string dataDir, Uri upstream, IReadOnlyList<string> extraArguments,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        if (!File.Exists(siloDll))
        {
            throw new FileNotFoundException(
                $"The silo program '{Path.GetFullPath(siloDll)}' does not exist. Build it with 'dotnet build -c Release silo' or pass --silo <dll>.");
        }

        var baseUrl = new Uri($"http://127.0.0.1:{LoopbackPorts.Free()}/");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = dataDir,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        foreach (var arg in new[]
                 {
                     Path.GetFullPath(siloDll), "--urls", baseUrl.ToString().TrimEnd('/'), "--tenants", tenantsDir,
                     "--OpenRouter:BaseUrl", upstream.ToString(), "--Tenancy:DataDirectory", dataDir,
                     "--Tenancy:WatchTenants", "false",

                     // Silos run side by side (gateway-ab): each gets Orleans ports of its own.
                     "--Cluster:SiloPort", LoopbackPorts.Free().ToString(CultureInfo.InvariantCulture),
                     "--Cluster:GatewayPort", LoopbackPorts.Free().ToString(CultureInfo.InvariantCulture),
                 }.Concat(extraArguments))
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start 'dotnet {siloDll}'.");
        var silo = new SiloProcess(process, baseUrl);
        process.OutputDataReceived += (_, e) => silo.Record(e.Data);
        process.ErrorDataReceived += (_, e) => silo.Record(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await silo.WaitUntilHealthyAsync();
        return silo;
    }

    public string Tail()
    {
        lock (_tail)
        {
            return string.Join(Environment.NewLine, _tail);
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

    private void Record(string? line)
    {
        if (line is null)
        {
            return;
        }

        Interlocked.Increment(ref _outputLines);
        lock (_tail)
        {
            _tail.Enqueue(line);
            if (_tail.Count > 40)
            {
                _tail.Dequeue();
            }
        }
    }

    private async Task WaitUntilHealthyAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.GetTimestamp() + 60 * Stopwatch.Frequency;
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The silo exited with code {_process.ExitCode} during start:{Environment.NewLine}{Tail()}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(BaseUrl, "healthz"));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            // Polling a child process that offers no start signal; the deadline above bounds it.
            await Task.Delay(200);
        }

        throw new TimeoutException($"The silo at {BaseUrl} did not answer /healthz within 60 s:{Environment.NewLine}{Tail()}");
    }
}
