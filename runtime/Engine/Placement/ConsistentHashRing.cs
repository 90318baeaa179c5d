using OrleansTenancy.Runtime.Membership;

namespace OrleansTenancy.Runtime.Placement;

/*
 * Placement by consistent hashing, the rule of Orleans' default grain directory: each Active silo sits on
 * a ring at the hash of its address; the owner of a grain is the silo with the largest hash less than or
 * equal to the grain's hash, wrapping to the largest silo hash when none is smaller. With one point per
 * silo the arcs are very uneven (with three silos one often owns a few percent of the grains), so each
 * silo contributes PointsPerSilo points (hashes of "address#i"), as Orleans' virtual-bucket ring does; the
 * ownership rule is unchanged, applied to points.
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

    /// <summary>The default number of ring points per silo.</summary>
    public const int DefaultPointsPerSilo = 30;

    private readonly SiloAddress[] _distinct;

    /// <summary>Builds the ring from the Active silos with <see cref="DefaultPointsPerSilo"/> points each.</summary>
    public ConsistentHashRing(IEnumerable<SiloAddress> activeSilos)
        : this(activeSilos, DefaultPointsPerSilo)
    {
    }

    /// <summary>Builds the ring from the Active silos with <paramref name="pointsPerSilo"/> points each (1: the hash of the address alone).</summary>
    public ConsistentHashRing(IEnumerable<SiloAddress> activeSilos, int pointsPerSilo)
    {
        ArgumentNullException.ThrowIfNull(activeSilos);
        ArgumentOutOfRangeException.ThrowIfLessThan(pointsPerSilo, 1);
        _distinct = activeSilos.Distinct().OrderBy(s => s.ToString(), StringComparer.Ordinal).ToArray();
        var points = _distinct
            .SelectMany(s => Enumerable.Range(0, pointsPerSilo).Select(i => (Hash: PointHash(s, i, pointsPerSilo), Silo: s)))
            .OrderBy(p => p.Hash).ThenBy(p => p.Silo.ToString(), StringComparer.Ordinal).ToArray();
        _hashes = points.Select(p => p.Hash).ToArray();
        _silos = points.Select(p => p.Silo).ToArray();
    }

    /// <summary>The silos on the ring.</summary>
    public IReadOnlyList<SiloAddress> Silos => _distinct;

    /// <summary>The owner of <paramref name="grainId"/>, or null when no silo is active.</summary>
    public SiloAddress? GetOwner(GrainIdentity grainId)
    {
        if (_silos.Length == 0)
        {
            return null;
        }

        if (_distinct.Length == 1)
        {
            return _distinct[0];
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

    /// <summary>The ring position of point <paramref name="index"/> of <paramref name="silo"/>.</summary>
    public static uint PointHash(SiloAddress silo, int index, int pointsPerSilo) =>
        pointsPerSilo == 1 ? StableHash.Of(silo.ToString()) : StableHash.Of(silo.ToString(), index.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
