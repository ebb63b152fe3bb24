import Foundation

/// Place names compared as people write them: the same commune spelled
/// with or without hamza, diacritics or accents is the same name.
///
/// ```swift
/// NameFolding.fold("أولاد تايمة")  == NameFolding.fold("اولاد تايمه")   // true
/// NameFolding.fold("Aït Melloul") == NameFolding.fold("ait melloul")  // true
/// ```
///
/// Arabic: alef forms (أ إ آ ٱ) → ا, taa marbuta ة → ه, alef maqsura ى → ي,
/// tatweel removed, diacritics (tashkil U+064B–U+065F, superscript alef
/// U+0670) removed. Latin: case and accents folded (Unicode canonical
/// decomposition, marks dropped). Both: blanks, hyphens and apostrophes
/// collapse to one space, ends trimmed.
public enum NameFolding {
    public static func fold(_ name: String) -> String {
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        let decomposed = name.decomposedStringWithCanonicalMapping.lowercased()
        for scalar in decomposed.unicodeScalars {
            let v = scalar.value
            // Combining marks: Latin accents (after decomposition) and Arabic tashkil.
            if (0x0300...0x036F).contains(v) || (0x064B...0x065F).contains(v) || v == 0x0670 || v == 0x0640 { continue }
            if scalar.properties.isWhitespace || [0x2D, 0x27, 0x2019, 0x2010, 0x2011, 0x2013, 0x5F].contains(v) {
                pendingSpace = !out.isEmpty
                continue
            }
            if pendingSpace { out.append(" "); pendingSpace = false }
            switch v {
            case 0x0622, 0x0623, 0x0625, 0x0671: out.append(Unicode.Scalar(0x0627)!)   // alef forms → alef
            case 0x0629: out.append(Unicode.Scalar(0x0647)!)                           // taa marbuta → haa
            case 0x0649: out.append(Unicode.Scalar(0x064A)!)                           // alef maqsura → yaa
            default: out.append(scalar)
            }
        }
        // Decomposition splits آ into ا + madda (U+0653, dropped above) and
        // أ into ا + hamza above (U+0654, dropped): both end as alef.
        return String(out)
    }
}
