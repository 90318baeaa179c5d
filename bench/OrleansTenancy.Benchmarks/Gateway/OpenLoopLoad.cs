using System.Diagnostics;
using System.Net.Http.Headers;

namespace OrleansTenancy.Benchmarks.Gateway;

/// <summary>What one open-loop phase measured.</summary>
/// <param name="Target">The label of the endpoint (direct or gateway).</param>
/// <param name="Rate">Requests per second scheduled.</param>
/// <param name="Measured">Requests scheduled in the measured window.</param>
/// <param name="Latencies">Milliseconds from each successful measured request's scheduled start to its full response, sorted.</param>
/// <param name="Errors">Measured requests that failed (non-2xx, exception or timeout).</param>
/// <param name="FirstError">A description of the first failure, if any.</param>
/// <param name="Throughput">Successful responses completed inside the measured window, per second.</param>
/// <param name="SendLagP99">99th percentile of how late the scheduler issued a request, in milliseconds.</param>
/// <param name="ServiceLatencies">
/// Milliseconds from each successful measured request's actual send to its full response, sorted: the latency without
/// the load generator's own scheduling lag. The generator is open-loop, so a server that stalls is still charged for
/// every request sent to it meanwhile; only the client's lag in issuing requests is left out.
/// </param>
public sealed record PhaseResult(
    string Target, int Rate, int Measured, double[] Latencies, int Errors, string? FirstError, double Throughput, double SendLagP99,
    double[] ServiceLatencies)
{
    public double Percentile(double q) => PercentileOf(Latencies, q);

    /// <summary>A percentile of <see cref="ServiceLatencies"/>.</summary>
    public double ServicePercentile(double q) => PercentileOf(ServiceLatencies, q);

    private static double PercentileOf(double[] sorted, double q) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Max(0, (int)Math.Ceiling(q * sorted.Length) - 1)];

    public double Max => Latencies.Length == 0 ? double.NaN : Latencies[^1];

    /// <summary>
    /// Whether the rate held: no errors, a p99 within <paramref name="p99BoundMs"/> and at least 95% of the scheduled
    /// requests completed inside the measured window (the step-ups' rule for a sustainable rate).
    /// </summary>
    public bool Holds(int p99BoundMs) => Errors == 0 && Percentile(0.99) <= p99BoundMs && Throughput >= 0.95 * Rate;
}

/// <summary>
/// An open-loop load generator: request i is due at start + i / rate whatever happened to earlier requests, and its
/// latency is counted from that due time, so a stalled server is charged for the queue it builds (no coordinated
/// omission). By default a dedicated thread issues each request at its own due time (see <see cref="Pacer"/>), so the
/// offered load is evenly spaced; <see cref="Pacing.TimerTicks"/> keeps the earlier generator for comparison.
/// </summary>
public sealed class OpenLoopLoad(HttpClient client, Uri url, byte[] body, string? bearer, TimeSpan timeout, Pacing pacing = Pacing.DueTime)
{
    public async Task<PhaseResult> RunAsync(string target, int rate, TimeSpan warmup, TimeSpan measured)
    {
        var warmupCount = (int)(rate * warmup.TotalSeconds);
        var measuredCount = (int)(rate * measured.TotalSeconds);
        var total = warmupCount + measuredCount;
        var latencies = new double[measuredCount];
        var service = new double[measuredCount];
        var ok = new bool[measuredCount];
        var completedAt = new long[total];
        var sendLag = new double[total];
        var tasks = new Task[total];
        var errors = 0;
        string? firstError = null;
        var ticksPerRequest = (double)Stopwatch.Frequency / rate;
        var start = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 100;
        var windowStart = start + (long)(warmupCount * ticksPerRequest);
        var windowEnd = windowStart + (long)(measured.TotalSeconds * Stopwatch.Frequency);

        async Task SendAsync(int i, long due)
        {
            sendLag[i] = Stopwatch.GetElapsedTime(due).TotalMilliseconds;
            string? failure;
            var sent = Stopwatch.GetTimestamp();
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                if (bearer is not null)
                {
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
                }

                using var cancel = new CancellationTokenSource(timeout);
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancel.Token);
                failure = response.IsSuccessStatusCode
                    ? null
                    : $"HTTP {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancel.Token)}";
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
            {
                failure = $"{ex.GetType().Name}: {ex.Message}";
            }

            var end = Stopwatch.GetTimestamp();
            completedAt[i] = failure is null ? end : 0;
            if (i < warmupCount)
            {
                return;
            }

            var m = i - warmupCount;
            if (failure is null)
            {
                ok[m] = true;
                latencies[m] = Stopwatch.GetElapsedTime(due, end).TotalMilliseconds;
                service[m] = Stopwatch.GetElapsedTime(sent, end).TotalMilliseconds;
            }
            else if (Interlocked.Increment(ref errors) == 1)
            {
                firstError = failure;
            }
        }

        await (pacing == Pacing.TimerTicks
            ? IssueOnTimerTicksAsync(tasks, start, ticksPerRequest, SendAsync)
            : IssueAtDueTimesAsync(tasks, start, ticksPerRequest, SendAsync));
        await Task.WhenAll(tasks);
        var completedInWindow = completedAt.Count(t => t >= windowStart && t < windowEnd);
        var succeeded = latencies.Where((_, m) => ok[m]).ToArray();
        Array.Sort(succeeded);
        var succeededService = service.Where((_, m) => ok[m]).ToArray();
        Array.Sort(succeededService);
        Array.Sort(sendLag);
        return new PhaseResult(
            target, rate, measuredCount, succeeded, errors, firstError,
            completedInWindow / measured.TotalSeconds,
            sendLag[Math.Max(0, (int)Math.Ceiling(0.99 * total) - 1)],
            succeededService);
    }

    // Each request at its due time, from a dedicated thread; each send continues on the thread pool once it awaits.
    private static Task IssueAtDueTimesAsync(Task[] tasks, long start, double ticksPerRequest, Func<int, long, Task> send)
    {
        var issued = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pacer = new Thread(() =>
        {
            Pacer.PrepareThread();
            for (var i = 0; i < tasks.Length; i++)
            {
                var due = start + (long)(i * ticksPerRequest);
                Pacer.SleepUntil(due);
                tasks[i] = send(i, due);
            }

            issued.SetResult();
        })
        { IsBackground = true, Name = "open-loop pacer" };
        pacer.UnsafeStart();
        return issued.Task;
    }

    // The earlier generator (Pacing.TimerTicks): everything due goes out each time a 1 ms delay ends.
    private static async Task IssueOnTimerTicksAsync(Task[] tasks, long start, double ticksPerRequest, Func<int, long, Task> send)
    {
        for (var i = 0; i < tasks.Length;)
        {
            var now = Stopwatch.GetTimestamp();
            for (; i < tasks.Length; i++)
            {
                var due = start + (long)(i * ticksPerRequest);
                if (due > now)
                {
                    break;
                }

                var index = i;
                tasks[i] = Task.Run(() => send(index, due));
            }

            if (i < tasks.Length)
            {
                // Pacing, not synchronisation: the timer wakes this loop about every one to two milliseconds.
                await Task.Delay(1);
            }
        }
    }
}

/// <summary>How an <see cref="OpenLoopLoad"/> gets its requests out.</summary>
public enum Pacing
{
    /// <summary>Each request at its own due time, from a dedicated thread (<see cref="Pacer"/>).</summary>
    DueTime,

    /// <summary>
    /// The earlier generator: a loop woken by a 1 ms <see cref="Task.Delay(int)"/> issues every request due by then, each
    /// through <see cref="Task.Run(Func{Task})"/>. On Linux the loop wakes every 1–2 ms, so requests go out in bursts of
    /// one to three, about 2 ms late.
    /// </summary>
    TimerTicks,
}
