using System.Collections.Concurrent;

namespace OrleansTenancy.Grains.Routing;

/// <summary>
/// Per-tenant request and token rate limits (<c>requests_per_minute</c>, <c>tokens_per_minute</c> in
/// <c>policy_overrides.yaml</c>) over fixed one-minute windows.
/// </summary>
/// <remarks>
/// The windows live in this process: with several silos each enforces the limit on the calls it receives. Budgets
/// (money) are exact cluster-wide in the tenant grain; rate limits protect upstream capacity, where a per-silo bound
/// is the usual trade of precision for a lock-free hot path.
/// </remarks>
public sealed class TenantRateLimiter(TimeProvider time)
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, Counter> _counters = new(StringComparer.Ordinal);

    /// <summary>
    /// Counts one request of <paramref name="tokens"/> tokens against the tenant's limits; returns how long to wait
    /// when a limit is reached (nothing is counted then), or <see langword="null"/> when the request may go.
    /// </summary>
    public TimeSpan? TryAcquire(string tenant, long? requestsPerMinute, long? tokensPerMinute, long tokens)
    {
        if (requestsPerMinute is null && tokensPerMinute is null)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var counter = _counters.GetOrAdd(tenant, static _ => new Counter());
        lock (counter)
        {
            if (now >= counter.WindowEnd)
            {
                counter.WindowEnd = now + Window;
                counter.Requests = 0;
                counter.Tokens = 0;
            }

            var overRequests = requestsPerMinute is { } rpm && counter.Requests + 1 > rpm;

            // A single request larger than the whole token budget is still let through in an empty window; otherwise it
            // could never run.
            var overTokens = tokensPerMinute is { } tpm && counter.Tokens > 0 && counter.Tokens + tokens > tpm;
            if (overRequests || overTokens)
            {
                return counter.WindowEnd - now;
            }

            counter.Requests++;
            counter.Tokens += tokens;
            return null;
        }
    }

    private sealed class Counter
    {
        public DateTimeOffset WindowEnd { get; set; }

        public long Requests { get; set; }

        public long Tokens { get; set; }
    }
}
