using Orleans.Storage;

namespace OrleansTenancy.TestSupport;

/// <summary>
/// Two silos of separate clusters on one store, with the same service id: each activates the same grain, which is the
/// duplicate activation Orleans admits briefly during a membership change, made to last.
/// </summary>
public static class DuplicateActivations
{
    /// <summary>
    /// Both activations read the same state; the one that writes second holds a stale ETag, so its write must fail
    /// (storage is the backstop) and its caller sees <see cref="InconsistentStateException"/>. Orleans then deactivates
    /// it, and its next call reads the current state: no update is lost.
    /// </summary>
    public static async Task AssertNoUpdateIsLostAsync(StorageSilo first, StorageSilo second)
    {
        var key = "counter-" + Guid.NewGuid().ToString("N");
        var onFirst = first.Grains.GetGrain<ICounterGrain>(key);
        var onSecond = second.Grains.GetGrain<ICounterGrain>(key);

        Assert.Equal(5, await onFirst.Add(5));
        Assert.Equal(5, await onSecond.Current());
        Assert.Equal(6, await onSecond.Add(1));

        await Assert.ThrowsAnyAsync<InconsistentStateException>(() => onFirst.Add(100));
        Assert.Equal(7, await onFirst.Add(1));

        await Assert.ThrowsAnyAsync<InconsistentStateException>(() => onSecond.Add(1000));
        Assert.Equal(7, await onSecond.Current());
    }
}
