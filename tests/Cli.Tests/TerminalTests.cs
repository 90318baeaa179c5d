using System.Text.RegularExpressions;
using OrleansTenancy.Cli.Commands;

namespace OrleansTenancy.Cli.Tests;

/// <summary>
/// What <c>tenancy</c> writes into a pipe (plain text, no wrapping) against what it shows on a terminal (colour unless
/// NO_COLOR, a progress display while it waits).
/// </summary>
[Collection(SiloCollection.Name)]
public sealed partial class TerminalTests(SiloFixture silo)
{
    [Fact]
    public async Task Into_a_pipe_output_has_no_escape_codes_and_long_lines_are_not_wrapped()
    {
        var tenants = await silo.RunAsync("tenants");
        var refused = await silo.RunAsync("budget", "show", "nobody");

        Assert.Equal(ExitCodes.Ok, tenants.ExitCode);
        Assert.All(new[] { tenants.Stdout, tenants.Stderr, refused.Stdout, refused.Stderr }, text => Assert.DoesNotContain('\u001b', text));
        var lines = tenants.Stdout.Split('\n');
        Assert.Contains(lines, l => l.Length > 80);
        // The load error is one line however long, ending with its whole message.
        var problem = Assert.Single(lines, l => l.Contains("broken", StringComparison.Ordinal) && l.Contains(": error: ", StringComparison.Ordinal));
        Assert.True(problem.Length > 80, $"expected the load error on one line longer than 80 characters, got: {problem}");
        Assert.Contains("Tenant 'nobody' is not in the registry; GET /admin/tenants lists the loaded tenants and load errors.", refused.Stderr.Split('\n'));
    }

    [Fact]
    public async Task On_a_terminal_output_is_coloured_unless_NO_COLOR_is_set_to_something()
    {
        var coloured = await TerminalAsync([], "tenants");
        var emptyNoColor = await TerminalAsync([("NO_COLOR", "")], "tenants");
        var noColor = await TerminalAsync([("NO_COLOR", "1")], "tenants");
        var noColorError = await TerminalAsync([("NO_COLOR", "true")], "budget", "show", "nobody");

        Assert.NotEmpty(ColourCodes(coloured.Stdout));
        Assert.NotEmpty(ColourCodes(emptyNoColor.Stdout));
        Assert.Empty(ColourCodes(noColor.Stdout));
        Assert.Contains("Acme Corp", noColor.Stdout);
        Assert.Equal(ExitCodes.NotFound, noColorError.ExitCode);
        Assert.Contains("Unknown tenant", noColorError.Stdout);
        Assert.Empty(ColourCodes(noColorError.Stdout));
    }

    [Fact]
    public async Task A_terminal_shows_what_the_cli_waits_for_while_the_silo_works()
    {
        var gate = silo.Gates.Hold("/admin/tenants/acme/reconcile");
        await using var cli = CliProcess.StartInTerminal(silo.Environment(("TERM", "xterm-256color")), 200, "reconcile", "acme");

        await gate.Entered.WaitAsync(TimeSpan.FromSeconds(60));
        await cli.WaitForOutputAsync("Reconciling acme with the usage ledger");
        gate.Release();
        var run = await cli.CompletedAsync();

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Contains("acme: every counter matched the ledger.", run.Stdout);
    }

    [Fact]
    public async Task A_pipe_never_gets_the_progress_display()
    {
        var gate = silo.Gates.Hold("/admin/tenants/acme/reconcile");
        await using var cli = CliProcess.Start(silo.Environment(("TERM", "xterm-256color")), "reconcile", "acme");

        await gate.Entered.WaitAsync(TimeSpan.FromSeconds(60));
        gate.Release();
        var run = await cli.CompletedAsync();

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Equal("", run.Stderr);
        Assert.DoesNotContain("Reconciling", run.Stdout);
        Assert.DoesNotContain('\u001b', run.Stdout);
    }

    /// <summary>SGR sequences that set a foreground or background colour (bold and reset are not colour).</summary>
    private static List<string> ColourCodes(string text) =>
        [.. Sgr().Matches(text).Select(m => m.Groups[1].Value).Where(p => int.TryParse(p.Split(';')[0], out var code) && code is >= 30 and <= 49 or >= 90 and <= 107)];

    private Task<CliRun> TerminalAsync((string, string)[] variables, params string[] args) =>
        CliProcess.RunInTerminalAsync(silo.Environment([("TERM", "xterm-256color"), .. variables]), args);

    [GeneratedRegex(@"\u001b\[([0-9;]*)m")]
    private static partial Regex Sgr();
}
