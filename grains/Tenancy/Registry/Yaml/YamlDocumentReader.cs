using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace OrleansTenancy.Tenancy.Registry.Yaml;

/// <summary>
/// Reads one YAML document from parser events into <see cref="YamlNode"/>s. Syntax errors, empty files,
/// multiple documents and non-scalar keys become problems rather than exceptions.
/// </summary>
internal static class YamlDocumentReader
{
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
            var root = ReadNode(parser, anchors, sink);
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
    }

    private static YamlNode ReadNode(IParser parser, Dictionary<string, YamlNode> anchors, ProblemSink sink)
    {
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
            Remember(anchors, sequenceStart.Anchor, sequence);
            while (!parser.TryConsume<SequenceEnd>(out _))
            {
                sequence.Items.Add(ReadNode(parser, anchors, sink));
            }

            return sequence;
        }

        var mappingStart = parser.Consume<MappingStart>();
        var mapping = new YamlMapping(mappingStart.Start);
        Remember(anchors, mappingStart.Anchor, mapping);
        while (!parser.TryConsume<MappingEnd>(out _))
        {
            var key = ReadNode(parser, anchors, sink);
            var value = ReadNode(parser, anchors, sink);
            if (key is YamlScalar scalarKey)
            {
                mapping.Entries.Add(new(scalarKey, value));
            }
            else
            {
                sink.Error(key.Line, key.Column, $"A key must be plain text, but this key is {key.KindName}.");
            }
        }

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
