namespace OrleansTenancy.TestSupport;

/// <summary>
/// Waits, on the real clock, for a state that work behind the call under test reaches (a grain updating another after
/// its own call returned), checking every 20 ms.
/// </summary>
public static class Eventually
{
    /// <summary>Completes once <paramref name="reached"/> answers true; fails naming <paramref name="what"/> after <paramref name="limit"/> (30 s when unset).</summary>
    /// <param name="reached">The check.</param>
    /// <param name="what">What is waited for, and what was seen, for the failure message; read only on failure.</param>
    /// <param name="limit">How long to wait at most.</param>
    public static async Task UntilAsync(Func<Task<bool>> reached, Func<string> what, TimeSpan? limit = null)
    {
        ArgumentNullException.ThrowIfNull(reached);
        ArgumentNullException.ThrowIfNull(what);
        var deadline = DateTime.UtcNow + (limit ?? TimeSpan.FromSeconds(30));
        while (!await reached())
        {
            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what()}");
            }

            await Task.Delay(20);
        }
    }
}
