using OrleansTenancy.GrainInterfaces;

namespace OrleansTenancy.Grains.Tenants;

/// <summary>
/// References to tenant grains for the request path: the grain and interface types are resolved once, and each
/// reference is then made from its key alone.
/// </summary>
/// <remarks>
/// Orleans 10.4's <c>GetGrain&lt;T&gt;(key)</c> derives the interface's type name from the CLR type on every call (it
/// formats and parses the name), which allocated about 8% of everything the gateway allocates per request, which
/// makes two of these references (the reservation and the settlement). A reference made here is the same reference:
/// same grain id, same interface.
/// </remarks>
public sealed class TenantGrainReferences
{
    private readonly IGrainFactory _grains;
    private readonly Lazy<(GrainType Grain, GrainInterfaceType Interface)> _types;

    /// <summary>References made through <paramref name="grains"/>, the silo's or a client's factory.</summary>
    public TenantGrainReferences(IGrainFactory grains)
    {
        _grains = grains ?? throw new ArgumentNullException(nameof(grains));

        // On first use: a client knows the grain types only once it has the cluster's manifest.
        _types = new(() =>
        {
            var sample = (GrainReference)(object)_grains.GetGrain<ITenantGrain>("tenant");
            return (sample.GrainId.Type, sample.InterfaceType);
        }, LazyThreadSafetyMode.PublicationOnly);
    }

    /// <summary>The grain of <paramref name="tenant"/>.</summary>
    public ITenantGrain For(string tenant)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenant);
        var (grain, @interface) = _types.Value;
        return (ITenantGrain)_grains.GetGrain(GrainId.Create(grain, tenant), @interface);
    }
}
