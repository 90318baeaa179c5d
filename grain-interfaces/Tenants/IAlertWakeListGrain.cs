namespace OrleansTenancy.GrainInterfaces;

/// <summary>
/// The tenants that hold budget alerts not yet delivered, kept in storage so that a silo starting after a restart wakes
/// them (their delivery timers live in their activations, which a restart ends). One grain, key
/// <see cref="AlertWakeList.Key"/>; a tenant adds itself when it stores an alert to deliver and removes itself when none
/// is left pending.
/// </summary>
[Alias("OrleansTenancy.IAlertWakeListGrain")]
public interface IAlertWakeListGrain : IGrainWithStringKey
{
    /// <summary>Lists <paramref name="tenant"/> (stored before it returns; listing a listed tenant changes nothing).</summary>
    [Alias("Add")]
    Task AddAsync(string tenant);

    /// <summary>Takes <paramref name="tenant"/> off the list (stored before it returns).</summary>
    [Alias("Remove")]
    Task RemoveAsync(string tenant);

    /// <summary>The listed tenants, in id order.</summary>
    [Alias("List")]
    Task<IReadOnlyList<string>> ListAsync();
}

/// <summary>Where the <see cref="IAlertWakeListGrain"/> lives.</summary>
public static class AlertWakeList
{
    /// <summary>The key of the one <see cref="IAlertWakeListGrain"/>.</summary>
    public const string Key = "all";
}
