using Spectre.Console;

namespace OrleansTenancy.Cli.Rendering;

/// <summary>
/// Creates the consoles <c>tenancy</c> writes to. A stream that is not a terminal (a pipe, a file) gets plain text:
/// no escape codes of any kind, no live displays and no wrapping, so scripts read exactly what the silo said. On a
/// terminal, colour follows <see href="https://no-color.org">NO_COLOR</see>: any non-empty value turns it off.
/// </summary>
public static class CliConsole
{
    /// <summary>
    /// The width given to a stream that is not a terminal: wide enough that no line or table is ever wrapped, small
    /// enough that layout arithmetic stays far from overflow.
    /// </summary>
    public const int UnwrappedWidth = 1 << 16;

    /// <summary>Creates a console over <paramref name="writer"/>.</summary>
    /// <param name="writer">Where the text goes (standard output or standard error).</param>
    /// <param name="isTerminal">Whether <paramref name="writer"/> is an interactive terminal.</param>
    /// <param name="getVariable">Reads environment variables (<c>NO_COLOR</c>, <c>COLORTERM</c>, <c>TERM</c>).</param>
    public static IAnsiConsole Create(TextWriter writer, bool isTerminal, Func<string, string?> getVariable)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(getVariable);
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = isTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = isTerminal && !NoColor(getVariable) ? ColorSystemOf(getVariable) : ColorSystemSupport.NoColors,
            Interactive = isTerminal ? InteractionSupport.Detect : InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        if (!isTerminal)
        {
            console.Profile.Width = UnwrappedWidth;
        }

        return console;
    }

    /// <summary>Whether <c>NO_COLOR</c> asks for no colour: set to anything but the empty string.</summary>
    public static bool NoColor(Func<string, string?> getVariable)
    {
        ArgumentNullException.ThrowIfNull(getVariable);
        return !string.IsNullOrEmpty(getVariable("NO_COLOR"));
    }

    // Chosen here rather than by Spectre's detector, which also treats an empty NO_COLOR as set.
    private static ColorSystemSupport ColorSystemOf(Func<string, string?> getVariable) =>
        getVariable("COLORTERM") is "truecolor" or "24bit" ? ColorSystemSupport.TrueColor
        : getVariable("TERM")?.Contains("256color", StringComparison.Ordinal) == true ? ColorSystemSupport.EightBit
        : ColorSystemSupport.Standard;
}
