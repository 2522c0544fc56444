"""Mixed-direction strings for the bidi comparison against Chromium (tests/text/test_bidi.py).

Each entry: (language, text). The language gives the variant's direction (ar/fa/he/ur: RTL).
Entries marked HANDLE contain a handle or hashtag: there the documented deviation applies
(see shareables/text/bidi.py) and Chromium is asked to isolate the handle as we do.
"""

from __future__ import annotations

CORPUS: list[tuple[str, str]] = [
    # paired brackets (N0)
    ("ar", "على هذه الأرض (1986)"),
    ("ar", "يفعت سوسكيند (MADRE)"),
    ("ar", "On This Earth (1986)"),
    ("ar", "قال (المديرة التنفيذية, Executive Director) أمس"),
    ("he", "יפעת סוסקינד (MADRE) אמרה"),
    ("fa", "[ترجمه] متن [translation]"),
    ("ar", "شعار {MADRE} الجديد"),
    ("en", "The poet (محمود درويش) wrote it"),
    ("en", "Darwish [محمود درويش] and (sic)"),
    ("ar", "قالت MADRE (Executive Director) أمس"),
    ("ar", "قالت MADRE (Executive Director [NY]) أمس"),
    ("he", "ארגון MADRE (New York) הבינלאומי"),
    ("en", "We met سلوى (مديرة) today."),
    # first-strong fields (a Latin-only field in an RTL variant)
    ("ar", "Dr. Salwa!"),
    ("ar", "MADRE, Inc."),
    ("he", "Executive Director, MADRE."),
    ("en", "محمود درويش، شاعر."),
    # numbers, ranges, percentages, currencies
    ("ar", "قتل 40,000 فلسطيني"),
    ("ar", "منذ 7 أكتوبر 2023"),
    ("ar", "من 2019 إلى 2023"),
    ("ar", "الفترة 2019–2023 كاملة"),
    ("he", "בין 2019-2023 בערך"),
    ("ar", "أكثر من 70% من الضحايا"),
    ("he", "יותר מ-70% מהנפגעים"),
    ("fa", "بیش از ۷۰٪ از قربانیان"),
    ("ar", "تبرع بـ $10 اليوم"),
    ("he", "תרמו ₪50 היום"),
    ("ar", "١٢٣ و 456 معًا"),
    ("ur", "365 مربع کلومیٹر"),
    ("ar", "-5 درجات"),
    # URLs, e-mails
    ("ar", "زوروا madre.org/gaza الآن"),
    ("ar", "https://www.madre.org/donate?ref=ar&x=1 اليوم"),
    ("he", "כתבו ל-info@madre.org עכשיו"),
    ("fa", "ایمیل: press@madre.org"),
    # phone numbers
    ("ar", "اتصلوا +1 (212) 627-0444 الآن"),
    ("he", "טלפון: 03-1234567."),
    # guillemets and nested quotes
    ("ar", "قالت «لن نصمت» أمس"),
    ("ar", "«Ceasefire now» قالوا"),
    ("fa", "او گفت «ما “هرگز” تسلیم نمی‌شویم»."),
    ("he", "היא אמרה „לא נשתוק” אתמול"),
    ("en", "She said “لن نصمت” yesterday."),
    ("en", "The sign read «وقف إطلاق النار الآن»!"),
    ("ar", "قال: \"Stop the war\"."),
    # trailing punctuation
    ("ar", "هل سمعتم؟"),
    ("ar", "كفى!"),
    ("ar", "نعم, MADRE."),
    ("he", "די למלחמה!"),
    ("ar", "قالت Yifat."),
    ("en", "Thank you, شكرا!"),
    ("ar", "...انتظروا"),
    # Latin inside RTL, RTL inside Latin
    ("ar", "تقول Yifat Susskind من MADRE إن"),
    ("en", "We stand with نساء غزة today."),
    ("ur", "ہم MADRE کے ساتھ کھڑے ہیں۔"),
    ("ps", "د MADRE ملګري"),
    # handles and hashtags (the documented deviation)
    ("ar", "كانت تسمى فلسطين. @madrespeaks"),
    ("ar", "#CeasefireNow الآن"),
    ("he", "עקבו אחרי @madrespeaks!"),
    ("en", "Follow @madrespeaks #غزة"),
]

HANDLE = {i for i, (_, t) in enumerate(CORPUS) if "@madrespeaks" in t or "#" in t}
