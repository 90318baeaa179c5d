using System.CommandLine;
using OrleansTenancy.Cli.Commands;

namespace OrleansTenancy.Cli.Tests;

/// <summary><c>--help</c> of every command, printed by the built executable into a pipe.</summary>
public sealed class HelpTests
{
    public static TheoryData<string> Commands()
    {
        var data = new TheoryData<string>();
        foreach (var (path, _) in Tree())
        {
            data.Add(path);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Help_names_the_command_once_with_its_own_arguments_and_describes_it_on_one_line(string path)
    {
        var command = Tree().Single(c => c.Path == path).Command;
        var args = path.Length == 0 ? new[] { "--help" } : [.. path.Split(' '), "--help"];

        var (exitCode, output, errors) = await CliProcess.RunAsync(new Dictionary<string, string>(), args);

        Assert.Equal(ExitCodes.Ok, exitCode);
        Assert.Equal("", errors);
        var lines = output.Split('\n');
        var usage = lines[Array.IndexOf(lines, "Usage:") + 1].Trim();
        var expected = string.Join(' ', new[] { TenancyCli.ToolName, path }
            .Concat(command.Arguments.Select(a => $"<{a.Name}>"))
            .Concat(command.Subcommands.Count > 0 ? ["[command]"] : [])
            .Append("[options]")
            .Where(part => part.Length > 0));
        Assert.Equal(expected, usage);
        Assert.Contains("  " + command.Description, lines);
        Assert.DoesNotContain(lines, l => l.Contains('\u001b', StringComparison.Ordinal));
    }

    [Fact]
    public async Task Top_level_help_lists_every_command()
    {
        var (exitCode, output, _) = await CliProcess.RunAsync(new Dictionary<string, string>(), "--help");

        Assert.Equal(ExitCodes.Ok, exitCode);
        Assert.All(Tree().Where(c => !c.Path.Contains(' ', StringComparison.Ordinal) && c.Path.Length > 0), c =>
            Assert.Contains(output.Split('\n'), l => l.TrimStart().StartsWith(c.Path + " ", StringComparison.Ordinal)));
    }

    /// <summary>Every command of the tree with its path below the root ("" for the root, "budget set", …).</summary>
    private static List<(string Path, Command Command)> Tree()
    {
        var environment = CliEnvironment.ForWriters(TextWriter.Null, false, TextWriter.Null, false, _ => null);
        var all = new List<(string, Command)>();
        Walk(TenancyCli.BuildRoot(environment), "");
        return all;

        void Walk(Command command, string path)
        {
            all.Add((path, command));
            foreach (var sub in command.Subcommands)
            {
                Walk(sub, path.Length == 0 ? sub.Name : $"{path} {sub.Name}");
            }
        }
    }
}
