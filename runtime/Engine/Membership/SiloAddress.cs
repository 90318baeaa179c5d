using System.Globalization;

namespace OrleansTenancy.Runtime.Membership;

/// <summary>
/// The address of one silo incarnation: host, port and generation (its start time). A restarted silo has a
/// new generation, so a silo declared dead never comes back under the same address.
/// </summary>
/// <param name="Host">Host name or IP address.</param>
/// <param name="Port">Silo-to-silo port.</param>
/// <param name="Generation">Start time in milliseconds since the Unix epoch (or another value unique per incarnation).</param>
public readonly record struct SiloAddress(string Host, int Port, long Generation)
{
    /// <inheritdoc />
    public override string ToString() => $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)}@{Generation.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Parses the <see cref="ToString"/> form <c>host:port@generation</c>.</summary>
    /// <exception cref="FormatException">The text is not in that form.</exception>
    public static SiloAddress Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var at = text.LastIndexOf('@');
        var colon = at > 0 ? text.LastIndexOf(':', at - 1) : -1;
        if (colon <= 0
            || !int.TryParse(text.AsSpan(colon + 1, at - colon - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            || !long.TryParse(text.AsSpan(at + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var generation))
        {
            throw new FormatException($"'{text}' is not a silo address; expected host:port@generation.");
        }

        return new SiloAddress(text[..colon], port, generation);
    }
}
