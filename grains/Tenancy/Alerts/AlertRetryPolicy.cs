namespace OrleansTenancy.Tenancy.Alerts;

/// <summary>
/// When a failed webhook delivery is tried again: exponential backoff from <see cref="FirstDelay"/>, doubling up to
/// <see cref="MaxDelay"/>, for at most <see cref="MaxAttempts"/> attempts; after that the delivery is recorded as failed.
/// </summary>
/// <param name="MaxAttempts">Attempts in all, the first included (at least 1).</param>
/// <param name="FirstDelay">The wait after the first failure.</param>
/// <param name="MaxDelay">The longest wait between two attempts.</param>
public sealed record AlertRetryPolicy(int MaxAttempts, TimeSpan FirstDelay, TimeSpan MaxDelay)
{
    /// <summary>Six attempts over about five minutes (10 s, 20 s, 40 s, 80 s, 160 s between them).</summary>
    public static AlertRetryPolicy Default { get; } = new(6, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5));

    /// <summary>When to try again after <paramref name="attemptsMade"/> failed attempts, or <see langword="null"/> when none are left.</summary>
    public DateTimeOffset? NextAttempt(int attemptsMade, DateTimeOffset failedAt)
    {
        if (attemptsMade >= MaxAttempts)
        {
            return null;
        }

        var factor = Math.Pow(2, Math.Max(0, attemptsMade - 1));
        var delay = TimeSpan.FromTicks((long)Math.Min(MaxDelay.Ticks, FirstDelay.Ticks * factor));
        return failedAt + delay;
    }
}
