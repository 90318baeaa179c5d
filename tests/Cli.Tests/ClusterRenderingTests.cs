using OrleansTenancy.Cli.Client;
using OrleansTenancy.Cli.Rendering;

namespace OrleansTenancy.Cli.Tests;

/// <summary>How <c>tenancy cluster</c> shows silos that disagree, a dead silo and one that did not answer (no silo needed).</summary>
public sealed class ClusterRenderingTests
{
    [Fact]
    public void A_silo_whose_tenants_differ_is_named_and_a_dead_or_silent_silo_shows_its_status()
    {
        var started = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        var report = new ClusterReport(
        [
            Silo("silo-a", "active", 93_784, "1111222233334444", differs: false, isThis: true),
            Silo("silo-b", "active", 3_725, "5555666677778888", differs: true),
            Silo("silo-c", "active", 59, null, differs: false) with { Problem = "did not answer within 5 s", Activations = null },
            Silo("silo-d", "dead", null, null, differs: false) with { Activations = null },
        ], "1111222233334444", RegistriesAgree: false);
        using var text = new StringWriter();

        AdminRenderer.Cluster(CliConsole.Create(text, isTerminal: false, _ => null), report);

        var lines = text.ToString().Split('\n');
        Assert.Contains("1d 2h", Row(lines, "silo-a (this silo)"), StringComparison.Ordinal);
        Assert.Contains("5555666677778888 differs", Row(lines, "silo-b"), StringComparison.Ordinal);
        Assert.Contains("1h 2m", Row(lines, "silo-b"), StringComparison.Ordinal);
        Assert.DoesNotContain("differs", Row(lines, "silo-a"), StringComparison.Ordinal);
        Assert.Contains(" dead ", Row(lines, "silo-d"), StringComparison.Ordinal);
        Assert.Contains("Tenants differ from the majority (registry 1111222233334444) on: silo-b.", text.ToString(), StringComparison.Ordinal);
        Assert.Contains("silo-c: did not answer within 5 s", text.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b", text.ToString(), StringComparison.Ordinal);

        SiloReport Silo(string name, string status, long? uptime, string? hash, bool differs, bool isThis = false) => new(
            "127.0.0.1:11111@1", name, "host", status, started, uptime, 12, hash, hash is null ? null : 3, differs, "1.0.0", ["http://127.0.0.1:8080"], isThis, null);
    }

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(59, "59s")]
    [InlineData(61, "1m 1s")]
    [InlineData(3_725, "1h 2m")]
    [InlineData(93_784, "1d 2h")]
    public void Uptime_shows_the_two_largest_units(long seconds, string shown) => Assert.Equal(shown, AdminRenderer.Uptime(seconds));

    private static string Row(string[] lines, string silo) => Assert.Single(lines, l => l.StartsWith($"│ {silo} ", StringComparison.Ordinal));
}
