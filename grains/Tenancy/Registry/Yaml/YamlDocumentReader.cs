using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace OrleansTenancy.Tenancy.Registry.Yaml;

/// <summary>
/// Reads one YAML document from parser events into <see cref="YamlNode"/>s. Syntax errors, empty files,
/// multiple documents and non-scalar keys become problems rather than exceptions.
/// </summary>
internal static class YamlDocumentReader
{
    /// <summary>Tenant files nest a handful of levels; the cap keeps hostile input from exhausting the stack.</summary>
    public const int MaxDepth = 64;

    /// <summary>Parses <paramref name="text"/>; returns the root node or <see langword="null"/> after reporting why not.</summary>
    public static YamlNode? Read(string text, ProblemSink sink)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            sink.Error(0, 0, "The file is empty; remove it or give it content.");
            return null;
        }

        var parser = new Parser(new StringReader(text));
        var anchors = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        try
        {
            parser.Consume<StreamStart>();
            if (parser.TryConsume<StreamEnd>(out _))
            {
                sink.Error(0, 0, "The file holds only comments; give it content or remove it.");
                return null;
            }

            var documentStart = parser.Consume<DocumentStart>();
            var root = ReadNode(parser, anchors, sink, depth: 0);
            parser.Consume<DocumentEnd>();
            if (parser.Accept<DocumentStart>(out var second))
            {
                sink.Error((int)second.Start.Line, (int)second.Start.Column,
                    "The file holds more than one YAML document ('---'); keep a single document.");
                return null;
            }

            if (root is YamlScalar { IsNull: true })
            {
                sink.Error((int)documentStart.Start.Line, 0, "The file is empty; remove it or give it content.");
                return null;
            }

            return root;
        }
        catch (YamlException ex)
        {
            var reason = ex.InnerException is YamlException inner ? inner.Message : ex.Message;
            sink.Error((int)ex.Start.Line, (int)ex.Start.Column, $"YAML syntax error: {Plain(reason)}.");
            return null;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException or OverflowException)
        {
            // YamlDotNet's scanner throws these instead of YamlException for some malformed input; the last
            // event it produced is the best position we have.
            var near = parser.Current?.End;
            sink.Error((int)(near?.Line ?? 0), (int)(near?.Column ?? 0),
                "YAML syntax error the parser could not describe; check indentation, quoting and brackets after this point.");
            return null;
        }
    }

    // Anchors are registered only once their node is complete, so an alias can never point into its own
    // content: the tree stays acyclic and every walk over it terminates.
    private static YamlNode ReadNode(IParser parser, Dictionary<string, YamlNode> anchors, ProblemSink sink, int depth)
    {
        if (depth > MaxDepth && parser.Current is { } deep)
        {
            throw new YamlException(deep.Start, deep.End, $"nesting is deeper than {MaxDepth} levels");
        }

        if (parser.TryConsume<AnchorAlias>(out var alias))
        {
            if (anchors.TryGetValue(alias.Value.Value, out var target))
            {
                return target;
            }

            throw new YamlException(alias.Start, alias.End, $"the alias '*{alias.Value.Value}' names no anchor defined before it");
        }

        if (parser.TryConsume<Scalar>(out var scalar))
        {
            var node = new YamlScalar(scalar.Start, scalar.Value, scalar.Style is ScalarStyle.Plain or ScalarStyle.Any);
            Remember(anchors, scalar.Anchor, node);
            return node;
        }

        if (parser.TryConsume<SequenceStart>(out var sequenceStart))
        {
            var sequence = new YamlSequence(sequenceStart.Start);
            while (!parser.TryConsume<SequenceEnd>(out _))
            {
                sequence.Items.Add(ReadNode(parser, anchors, sink, depth + 1));
            }

            Remember(anchors, sequenceStart.Anchor, sequence);
            return sequence;
        }

        var mappingStart = parser.Consume<MappingStart>();
        var mapping = new YamlMapping(mappingStart.Start);
        while (!parser.TryConsume<MappingEnd>(out _))
        {
            var key = ReadNode(parser, anchors, sink, depth + 1);
            var value = ReadNode(parser, anchors, sink, depth + 1);
            if (key is YamlScalar scalarKey)
            {
                mapping.Entries.Add(new(scalarKey, value));
            }
            else
            {
                sink.Error(key.Line, key.Column, $"A key must be plain text, but this key is {key.KindName}.");
            }
        }

        Remember(anchors, mappingStart.Anchor, mapping);
        return mapping;
    }

    private static void Remember(Dictionary<string, YamlNode> anchors, AnchorName anchor, YamlNode node)
    {
        if (!anchor.IsEmpty)
        {
            anchors[anchor.Value] = node;
        }
    }

    private static string Plain(string message)
    {
        // YamlDotNet prefixes messages with "(Line: x, Col: y, Idx: z) - (Line: ...): "; the position is reported separately.
        var cut = message.LastIndexOf("): ", StringComparison.Ordinal);
        var text = cut >= 0 ? message[(cut + 3)..] : message;
        return text.TrimEnd('.', ' ');
    }
}
