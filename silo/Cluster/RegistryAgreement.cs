namespace OrleansTenancy.Silo.Cluster;

/// <summary>
/// Whether the silos serve the same tenants: the one rule behind the flag of <c>GET /admin/cluster</c>, the dashboard
/// and <c>tenancy cluster</c>.
/// </summary>
/// <remarks>
/// The registry every silo should have is the one most silos report (its content hash). A silo that reports another
/// differs. When no hash is reported by more silos than every other (two silos that disagree, or none reporting),
/// there is no reference and every reporting silo differs: the operator has to look, and no silo is named right by
/// chance. Silos that report nothing (dead, joining, not answering) take no part.
/// </remarks>
public static class RegistryAgreement
{
    /// <summary>The hash most silos report, or <see langword="null"/> when none is reported more often than every other.</summary>
    /// <param name="reported">The hash each answering silo reported.</param>
    public static string? Majority(IEnumerable<string> reported)
    {
        ArgumentNullException.ThrowIfNull(reported);
        var counts = reported.CountBy(h => h, StringComparer.Ordinal).OrderByDescending(c => c.Value).Take(2).ToArray();
        return counts.Length switch
        {
            0 => null,
            1 => counts[0].Key,
            _ => counts[0].Value > counts[1].Value ? counts[0].Key : null,
        };
    }

    /// <summary>Whether a silo reporting <paramref name="hash"/> differs from <paramref name="majority"/>.</summary>
    /// <param name="hash">What the silo reported, or <see langword="null"/> when it reported nothing.</param>
    /// <param name="majority">The result of <see cref="Majority"/>.</param>
    public static bool Differs(string? hash, string? majority) =>
        hash is not null && !string.Equals(hash, majority, StringComparison.Ordinal);
}
