namespace OrleansTenancy.Tenancy;

/// <summary>How a tenant's budget limits are enforced.</summary>
public enum Enforcement
{
    /// <summary>Usage is tracked; nothing is denied and no alerts fire.</summary>
    None = 0,

    /// <summary>Usage is allowed past limits; alerts fire at the configured thresholds.</summary>
    Soft = 1,

    /// <summary>A request that would take usage past any limit is denied.</summary>
    Hard = 2,
}
