using OrleansTenancy.Runtime.Membership;

namespace OrleansTenancy.Runtime.Placement;

/*
 * Placement by consistent hashing, the rule of Orleans' default grain directory: each Active silo sits on
 * a ring at the hash of its address; the owner of a grain is the silo with the largest hash less than or
 * equal to the grain's hash, wrapping to the largest silo hash when none is smaller.
 *
 * Invariant: two processes with the same membership view compute the same owner for every grain (the hash
 * is stable across processes). When the view changes only the grains on the arcs next to the joining or
 * leaving silo move; the old owner deactivates them (state already persisted) and the new owner activates
 * them on the next call. Views may briefly differ between silos; a silo that receives a call it does not
 * own forwards it (bounded hops), and storage ETags catch a short-lived duplicate activation.
 */

/// <summary>An immutable ring of Active silos.</summary>
public sealed class ConsistentHashRing
{
    private readonly uint[] _hashes;
    private readonly SiloAddress[] _silos;

    /// <summary>Builds the ring from the Active silos.</summary>
    public ConsistentHashRing(IEnumerable<SiloAddress> activeSilos)
    {
        ArgumentNullException.ThrowIfNull(activeSilos);
        var points = activeSilos.Distinct().Select(s => (Hash: StableHash.Of(s.ToString()), Silo: s))
            .OrderBy(p => p.Hash).ThenBy(p => p.Silo.ToString(), StringComparer.Ordinal).ToArray();
        _hashes = points.Select(p => p.Hash).ToArray();
        _silos = points.Select(p => p.Silo).ToArray();
    }

    /// <summary>The silos on the ring, by hash.</summary>
    public IReadOnlyList<SiloAddress> Silos => _silos;

    /// <summary>The owner of <paramref name="grainId"/>, or null when no silo is active.</summary>
    public SiloAddress? GetOwner(GrainIdentity grainId)
    {
        if (_silos.Length == 0)
        {
            return null;
        }

        if (_silos.Length == 1)
        {
            return _silos[0];
        }

        var hash = StableHash.Of(grainId.Type, grainId.Key);
        var index = Array.BinarySearch(_hashes, hash);
        if (index < 0)
        {
            // ~index is the first hash greater than the grain's; the owner is the one before it, wrapping.
            index = ~index - 1;
            if (index < 0)
            {
                index = _silos.Length - 1;
            }
        }

        return _silos[index];
    }
}
