using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace OrleansTenancy.Cluster.TestSupport;

/// <summary>One chat call the load made.</summary>
/// <param name="Silo">The silo it was sent to.</param>
/// <param name="Tenant">The tenant it ran for.</param>
/// <param name="RequestId">Its <c>X-Request-Id</c>.</param>
/// <param name="Started">When it was sent (<see cref="Stopwatch"/> timestamp).</param>
/// <param name="Ended">When its answer (or failure) arrived.</param>
/// <param name="Status">The HTTP status; 0 when no answer came (connection refused or reset, timeout).</param>
/// <param name="CostUsd">The cost the answer reported (<c>usage.cost</c>), for a 200.</param>
/// <param name="Error">What went wrong, for a failure.</param>
public sealed record CallRecord(int Silo, string Tenant, string RequestId, long Started, long Ended, int Status, decimal? CostUsd, string? Error)
{
    /// <summary>Whether the silo answered as a working cluster must: the completion (200) or a budget refusal (402).</summary>
    public bool Answered => Status is 200 or 402;

    /// <summary>How long the call took.</summary>
    public TimeSpan Latency => Stopwatch.GetElapsedTime(Started, Ended);
}

/// <summary>
/// Chat calls over HTTP from a number of concurrent callers, spread over the silos named in <see cref="Silos"/> and over
/// the tenants, each with a request id of its own; every call is recorded.
/// </summary>
public sealed class HttpLoad : IAsyncDisposable
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);
    private readonly Func<int, Uri> _silo;
    private readonly IReadOnlyList<LoadTenant> _tenants;
    private readonly string _prefix;
    private readonly HttpClient _http;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<CallRecord> _records = [];
    private readonly long[] _inFlightSince;
    private readonly int[] _inFlightSilo;
    private readonly Task[] _workers;
    private long _sequence;
    private volatile IReadOnlyList<int> _silos;

    private HttpLoad(Func<int, Uri> silo, IReadOnlyList<int> silos, IReadOnlyList<LoadTenant> tenants, int callers, string prefix)
    {
        _silo = silo;
        _silos = silos;
        _tenants = tenants;
        _prefix = prefix;
        _http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(2), PooledConnectionLifetime = TimeSpan.FromMinutes(1) })
        {
            Timeout = CallTimeout,
        };
        _inFlightSince = new long[callers];
        _inFlightSilo = new int[callers];
        _workers = [.. Enumerable.Range(0, callers).Select(i => Task.Run(() => CallerAsync(i)))];
    }

    /// <summary>The silos calls go to, in turn; may be changed while the load runs.</summary>
    public IReadOnlyList<int> Silos
    {
        get => _silos;
        set => _silos = value;
    }

    /// <summary>Starts <paramref name="callers"/> callers.</summary>
    /// <param name="silo">The HTTP address of a silo by number.</param>
    /// <param name="silos">The silos to call.</param>
    /// <param name="tenants">The tenants to call for.</param>
    /// <param name="callers">How many calls are in flight at once.</param>
    /// <param name="prefix">Starts every request id, so that phases of a test keep theirs apart.</param>
    public static HttpLoad Start(Func<int, Uri> silo, IReadOnlyList<int> silos, IReadOnlyList<LoadTenant> tenants, int callers, string prefix) =>
        new(silo, silos, tenants, callers, prefix);

    /// <summary>Every call finished so far.</summary>
    public IReadOnlyList<CallRecord> Records
    {
        get
        {
            lock (_records)
            {
                return [.. _records];
            }
        }
    }

    /// <summary>The calls in flight now: the silo each went to and when it was sent.</summary>
    public IReadOnlyList<(int Silo, long Since)> InFlight =>
        [.. Enumerable.Range(0, _inFlightSince.Length)
            .Select(i => (Silo: Volatile.Read(ref _inFlightSilo[i]), Since: Volatile.Read(ref _inFlightSince[i])))
            .Where(c => c.Since != 0)];

    /// <summary>
    /// Polls <paramref name="condition"/> (every 100 ms) until it holds; after <paramref name="patience"/> fails with
    /// <paramref name="what"/> and what the load saw.
    /// </summary>
    public async Task WaitUntilAsync(Func<HttpLoad, bool> condition, TimeSpan patience, string what)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(patience.TotalSeconds * Stopwatch.Frequency);
        while (!condition(this))
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"Waited {patience.TotalSeconds:0} s for {what}; the load saw {Summary()}.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }

    /// <summary>Counts of the calls by silo and status, for messages.</summary>
    public string Summary()
    {
        var records = Records;
        return string.Join(", ", records.GroupBy(r => (r.Silo, r.Status)).OrderBy(g => g.Key)
            .Select(g => string.Create(CultureInfo.InvariantCulture, $"silo {g.Key.Silo} status {g.Key.Status}: {g.Count()}")))
            + (records.FirstOrDefault(r => r.Error is not null) is { } failed ? $"; e.g. {failed.Error}" : "");
    }

    /// <summary>Stops sending and waits for the calls in flight.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_workers);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _http.Dispose();
        _stop.Dispose();
    }

    private async Task CallerAsync(int caller)
    {
        for (var turn = caller; !_stop.IsCancellationRequested; turn++)
        {
            var silos = _silos;
            var silo = silos[turn % silos.Count];
            var tenant = _tenants[(turn * 7 + caller) % _tenants.Count];
            var id = string.Create(CultureInfo.InvariantCulture, $"{_prefix}-{Interlocked.Increment(ref _sequence)}");
            var started = Stopwatch.GetTimestamp();
            Volatile.Write(ref _inFlightSilo[caller], silo);
            Volatile.Write(ref _inFlightSince[caller], started);
            var (status, cost, error) = await CallAsync(silo, tenant, id);
            Volatile.Write(ref _inFlightSince[caller], 0);
            var record = new CallRecord(silo, tenant.Slug, id, started, Stopwatch.GetTimestamp(), status, cost, error);
            lock (_records)
            {
                _records.Add(record);
            }
        }
    }

    private async Task<(int Status, decimal? Cost, string? Error)> CallAsync(int silo, LoadTenant tenant, string requestId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_silo(silo), "v1/chat/completions"))
        {
            Content = new StringContent(
                $$"""{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"Count to three ({{requestId}})"}],"max_tokens":16}""",
                Encoding.UTF8,
                "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tenant.ApiKey);
        request.Headers.Add("X-Request-Id", requestId);
        try
        {
            // Not cancelled by StopAsync: a call in flight runs to its end, so that its outcome is known.
            using var response = await _http.SendAsync(request, CancellationToken.None);
            var body = await response.Content.ReadAsStringAsync(CancellationToken.None);
            var status = (int)response.StatusCode;
            if (status == 200)
            {
                using var json = JsonDocument.Parse(body);
                return (status, json.RootElement.GetProperty("usage").GetProperty("cost").GetDecimal(), null);
            }

            return (status, null, status == 402 ? null : $"HTTP {status} from silo {silo}: {Truncate(body)}");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
        {
            return (0, null, $"{ex.GetType().Name} from silo {silo}: {Truncate(ex.Message)}");
        }
    }

    private static string Truncate(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
