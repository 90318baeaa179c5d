using System.Diagnostics;
using OrleansTenancy.TestSupport;

namespace OrleansTenancy.Deploy.Tests.Bench;

/// <summary>
/// <c>bench/gateway-stages.patch</c>, the stage timings <c>docs/PERFORMANCE.md</c> reproduces its breakdowns with, is
/// applied to scratch builds only: this keeps it applying to the code it instruments, so a change to one of the files
/// it touches brings the patch along.
/// </summary>
public sealed class StagesPatchTests
{
    [Fact]
    public async Task The_gateway_stages_patch_applies_to_this_tree()
    {
        var root = RepositoryRoot.Find();
        var patch = Path.Combine(root, "bench", "gateway-stages.patch");
        Assert.True(File.Exists(patch), $"{patch} is missing; docs/PERFORMANCE.md tells readers to apply it");

        // --check applies nothing; git apply works on the files whether or not the folder is a git repository.
        var start = new ProcessStartInfo("git", ["apply", "--check", "--verbose", patch])
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var git = Process.Start(start) ?? throw new InvalidOperationException("git could not be started");
        var output = git.StandardOutput.ReadToEndAsync();
        var errors = git.StandardError.ReadToEndAsync();
        await git.WaitForExitAsync();

        Assert.True(git.ExitCode == 0,
            $"bench/gateway-stages.patch no longer applies (git apply exited with {git.ExitCode}); edit it for the current code "
            + $"(apply it in a scratch worktree, fix the rejected hunks, then 'git add -A && git diff --cached > bench/gateway-stages.patch'):\n{await errors}");

        // Every file it names is one it checked: a patch that touches nothing would pass the exit code alone.
        Assert.Contains("SettlementJournal.cs", await errors + await output, StringComparison.Ordinal);
    }
}
