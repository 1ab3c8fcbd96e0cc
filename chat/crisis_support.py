"""Someone who writes about wanting to die or hurting themself, or about a friend who does, is
answered with where to find help now, in their own language, before the chat model is asked: a
135M chat model answered "my friend says she wants to kill herself tonight" with "To kill
yourself, I would suggest ...".

Crisis lines are named only where the number is well established (national lines that have run
for years); every answer also gives findahelpline.com, which lists free, confidential lines for
each country, and the local emergency number.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from chat.answer_guard import asks_for_a_picture
from models.language_id import language_guesses

if TYPE_CHECKING:
    from chat.pictures import Studio

log = logging.getLogger(__name__)

# The policy head's self_harm probability for the message alone, beside the crisis-topic head
# (which finds a friend's crisis: the aspect head learned, rightly for the gate, that asking how
# to help is not self-harm). Far below the gate's bar (0.89): a request for a method needs this
# answer as much as despair does.
SUPPORT_BAR = 0.5
# The language identifier's first guess is trusted at this score, or when it leads the second by
# this factor (two words of Portuguese score 0.42 against Spanish's 0.20); otherwise English.
LANGUAGE_CONFIDENCE = 0.5
LANGUAGE_LEAD = 2.0

SUPPORT_ANSWERS = {
    "en": (
        "I'm really glad you wrote this. I'm only a small drawing assistant and can't give the help this "
        "needs, but people can, right now:\n"
        "- If anyone is in immediate danger, call your local emergency number (112 in most of Europe, "
        "911 in the US and Canada, 999 in the UK).\n"
        "- Talk to a crisis line, free and confidential: call or text 988 in the US and Canada, Samaritans on "
        "116 123 in the UK and Ireland, or find one for your country at findahelpline.com.\n"
        "- If it's a friend: stay with them or keep talking, take what they say seriously, and help them "
        "reach one of these lines.\n"
        "You don't have to go through this alone."
    ),
    "es": (
        "Me alegra mucho que lo hayas escrito. Solo soy un pequeño asistente de dibujo y no puedo darte la "
        "ayuda que esto necesita, pero hay personas que sí, ahora mismo:\n"
        "- Si alguien está en peligro inmediato, llama al número de emergencias (112 en España y en casi "
        "toda Europa, 911 en México y en muchos países de América).\n"
        "- Habla con una línea de crisis, gratuita y confidencial: el 024 en España, la Línea de la Vida "
        "800 911 2000 en México, o encuentra la de tu país en findahelpline.com.\n"
        "- Si se trata de un amigo o una amiga: quédate con esa persona o sigue hablando con ella, toma en "
        "serio lo que dice y ayúdale a contactar con una de estas líneas.\n"
        "No tienes que pasar por esto en soledad."
    ),
    "fr": (
        "Je suis vraiment content que tu l'aies écrit. Je ne suis qu'un petit assistant de dessin et je ne "
        "peux pas apporter l'aide qu'il faut, mais des personnes le peuvent, tout de suite :\n"
        "- Si quelqu'un est en danger immédiat, appelle le numéro d'urgence (112 en Europe, 15 pour le SAMU "
        "en France).\n"
        "- Parle à une ligne d'écoute, gratuite et confidentielle : le 3114 en France, le 0800 32 123 en "
        "Belgique, le 143 en Suisse, ou trouve celle de ton pays sur findahelpline.com.\n"
        "- S'il s'agit d'un ami ou d'une amie : reste avec cette personne ou continue à lui parler, prends "
        "au sérieux ce qu'elle dit et aide-la à joindre une de ces lignes.\n"
        "Tu n'as pas à traverser ça seul·e."
    ),
    "de": (
        "Gut, dass du das geschrieben hast. Ich bin nur ein kleiner Zeichenassistent und kann nicht die Hilfe "
        "geben, die das braucht, aber Menschen können es, jetzt sofort:\n"
        "- Wenn jemand in unmittelbarer Gefahr ist, ruf den Notruf 112 an.\n"
        "- Sprich mit einem Krisentelefon, kostenlos und vertraulich: TelefonSeelsorge in Deutschland "
        "0800 111 0 111 oder 0800 111 0 222, in Österreich 142, in der Schweiz 143, oder finde eines für "
        "dein Land auf findahelpline.com.\n"
        "- Wenn es um einen Freund oder eine Freundin geht: bleib bei der Person oder im Gespräch, nimm "
        "ernst, was sie sagt, und hilf ihr, eine dieser Nummern zu erreichen.\n"
        "Du musst da nicht allein durch."
    ),
    "pt": (
        "Que bom que você escreveu isso. Sou só um pequeno assistente de desenho e não consigo dar a ajuda "
        "que isso precisa, mas há pessoas que conseguem, agora mesmo:\n"
        "- Se alguém está em perigo imediato, ligue para o número de emergência (192 SAMU no Brasil, 112 em "
        "Portugal).\n"
        "- Fale com uma linha de apoio, gratuita e confidencial: o CVV no 188 no Brasil, o SNS 24 no "
        "808 24 24 24 em Portugal, ou encontre a do seu país em findahelpline.com.\n"
        "- Se for um amigo ou uma amiga: fique com a pessoa ou continue conversando, leve a sério o que ela "
        "diz e ajude-a a entrar em contato com uma dessas linhas.\n"
        "Você não precisa passar por isso sozinho."
    ),
    "it": (
        "Sono davvero contento che tu l'abbia scritto. Sono solo un piccolo assistente di disegno e non posso "
        "dare l'aiuto che serve, ma ci sono persone che possono, adesso:\n"
        "- Se qualcuno è in pericolo immediato, chiama il numero di emergenza 112.\n"
        "- Parla con una linea di ascolto, gratuita e riservata: Telefono Amico 02 2327 2327, oppure trova "
        "quella del tuo paese su findahelpline.com.\n"
        "- Se si tratta di un amico o di un'amica: resta con questa persona o continua a parlarle, prendi sul "
        "serio quello che dice e aiutala a contattare una di queste linee.\n"
        "Non devi affrontarlo da solo."
    ),
    "nl": (
        "Goed dat je dit schrijft. Ik ben maar een kleine tekenassistent en kan niet de hulp geven die dit "
        "nodig heeft, maar mensen kunnen dat wel, nu meteen:\n"
        "- Als iemand in direct gevaar is, bel het alarmnummer 112.\n"
        "- Praat met een hulplijn, gratis en anoniem: 113 Zelfmoordpreventie (113 of 0800-0113) in "
        "Nederland, de Zelfmoordlijn 1813 in België, of vind er een voor jouw land op findahelpline.com.\n"
        "- Gaat het om een vriend of vriendin: blijf bij die persoon of blijf praten, neem serieus wat hij "
        "of zij zegt en help om een van deze lijnen te bereiken.\n"
        "Je hoeft dit niet alleen te doen."
    ),
    "pl": (
        "Dobrze, że o tym napisałeś. Jestem tylko małym asystentem do rysowania i nie mogę dać pomocy, której "
        "to wymaga, ale ludzie mogą, teraz:\n"
        "- Jeśli komuś grozi bezpośrednie niebezpieczeństwo, zadzwoń pod numer alarmowy 112.\n"
        "- Porozmawiaj z telefonem zaufania, bezpłatnie i poufnie: 116 123 dla dorosłych, 116 111 dla dzieci "
        "i młodzieży, albo znajdź linię dla swojego kraju na findahelpline.com.\n"
        "- Jeśli chodzi o przyjaciela lub przyjaciółkę: zostań z tą osobą albo rozmawiaj dalej, potraktuj "
        "poważnie to, co mówi, i pomóż jej dodzwonić się pod jeden z tych numerów.\n"
        "Nie musisz przechodzić przez to sam."
    ),
    "ru": (
        "Хорошо, что вы об этом написали. Я всего лишь маленький помощник для рисования и не могу дать ту "
        "помощь, которая здесь нужна, но люди могут, прямо сейчас:\n"
        "- Если кому-то грозит непосредственная опасность, звоните по номеру экстренных служб 112.\n"
        "- Поговорите с телефоном доверия, бесплатно и анонимно: найдите линию для вашей страны на "
        "findahelpline.com.\n"
        "- Если речь о друге или подруге: будьте рядом или продолжайте разговор, отнеситесь серьёзно к тому, "
        "что человек говорит, и помогите ему связаться с одной из этих линий.\n"
        "Вы не обязаны проходить через это в одиночку."
    ),
    "uk": (
        "Добре, що ви про це написали. Я лише маленький помічник для малювання і не можу дати тієї допомоги, "
        "яка тут потрібна, але люди можуть, просто зараз:\n"
        "- Якщо комусь загрожує безпосередня небезпека, телефонуйте 112 або 103.\n"
        "- Поговоріть із лінією підтримки, безкоштовно й конфіденційно: Lifeline Ukraine 7333, або знайдіть "
        "лінію для вашої країни на findahelpline.com.\n"
        "- Якщо йдеться про друга чи подругу: будьте поруч або продовжуйте розмову, поставтеся серйозно до "
        "того, що людина каже, і допоможіть їй зв'язатися з однією з цих ліній.\n"
        "Ви не мусите проходити через це наодинці."
    ),
    "tr": (
        "Bunu yazdığın için gerçekten memnunum. Ben sadece küçük bir çizim asistanıyım ve bunun gerektirdiği "
        "yardımı veremem, ama insanlar verebilir, hemen şimdi:\n"
        "- Biri hemen tehlikedeyse acil çağrı numarası 112'yi ara.\n"
        "- Ücretsiz ve gizli bir destek hattıyla konuş: ülkendeki hattı findahelpline.com adresinde "
        "bulabilirsin.\n"
        "- Söz konusu bir arkadaşınsa: yanında kal ya da konuşmaya devam et, söylediklerini ciddiye al ve bu "
        "hatlardan birine ulaşmasına yardım et.\n"
        "Bununla tek başına başa çıkmak zorunda değilsin."
    ),
    "ar": (
        "أنا سعيد حقًا لأنك كتبت هذا. أنا مجرد مساعد صغير للرسم ولا أستطيع تقديم المساعدة التي يحتاجها هذا، "
        "لكن هناك أشخاص يستطيعون ذلك الآن:\n"
        "- إذا كان أي شخص في خطر مباشر، اتصل برقم الطوارئ في بلدك (مثل 112 أو 911 أو 999).\n"
        "- تحدّث إلى خط دعم نفسي مجاني وسري: تجد خطوط بلدك على findahelpline.com.\n"
        "- إذا كان الأمر يخص صديقًا: ابقَ معه أو واصل الحديث معه، وخذ كلامه على محمل الجد، وساعده على "
        "الوصول إلى أحد هذه الخطوط.\n"
        "لست مضطرًا لمواجهة هذا وحدك."
    ),
    "hi": (
        "मुझे सच में खुशी है कि आपने यह लिखा। मैं बस एक छोटा ड्रॉइंग असिस्टेंट हूँ और वह मदद नहीं दे सकता जिसकी "
        "ज़रूरत है, लेकिन लोग दे सकते हैं, अभी:\n"
        "- अगर कोई तुरंत ख़तरे में है, तो आपातकालीन नंबर 112 पर कॉल करें।\n"
        "- किसी हेल्पलाइन से बात करें, मुफ़्त और गोपनीय: भारत में Tele-MANAS 14416, या अपने देश की लाइन "
        "findahelpline.com पर देखें।\n"
        "- अगर बात किसी दोस्त की है: उनके साथ रहें या बात करते रहें, उनकी बात को गंभीरता से लें, और उन्हें इनमें से "
        "किसी लाइन तक पहुँचने में मदद करें।\n"
        "आपको इससे अकेले नहीं गुज़रना है।"
    ),
    "zh": (
        "很高兴你愿意说出来。我只是一个小小的绘画助手，给不了这件事需要的帮助，但有人可以，就在现在：\n"
        "- 如果有人正处于紧急危险中，请拨打当地急救电话（中国大陆 120，台湾 119，香港 999）。\n"
        "- 和免费、保密的心理援助热线聊一聊：北京心理危机研究与干预中心 010-82951332，台湾安心专线 1925，"
        "香港撒玛利亚防止自杀会 2389 2222，或在 findahelpline.com 找到你所在地区的热线。\n"
        "- 如果是你的朋友：陪着他/她或继续和他/她说话，认真对待他/她说的话，并帮他/她联系上这些热线。\n"
        "你不必独自面对这一切。"
    ),
    "ja": (
        "書いてくれて本当によかったです。私は小さなお絵かきアシスタントにすぎず、必要な助けはできませんが、"
        "今すぐ話を聞いてくれる人がいます：\n"
        "- 誰かが今まさに危険な状態なら、119 に電話してください。\n"
        "- 無料・秘密厳守の相談窓口に話してください：いのちの電話 0570-783-556、よりそいホットライン "
        "0120-279-338、またはお住まいの国の窓口を findahelpline.com で探せます。\n"
        "- 友だちのことなら：そばにいるか話し続けて、言っていることを真剣に受け止め、これらの窓口につながる"
        "よう手伝ってください。\n"
        "ひとりで抱え込まなくていいんです。"
    ),
    "ko": (
        "이렇게 말해 줘서 정말 다행이에요. 저는 작은 그림 도우미일 뿐이라 필요한 도움을 드릴 수 없지만, "
        "지금 바로 도와줄 수 있는 사람들이 있어요:\n"
        "- 누군가 당장 위험하다면 119에 전화하세요.\n"
        "- 무료로 비밀이 보장되는 상담 전화와 이야기하세요: 자살예방상담전화 109, 또는 findahelpline.com 에서 "
        "사는 나라의 상담 전화를 찾을 수 있어요.\n"
        "- 친구 이야기라면: 곁에 있어 주거나 계속 대화하고, 하는 말을 진지하게 받아들이고, 이 상담 전화 중 "
        "하나에 연결되도록 도와주세요.\n"
        "혼자 견디지 않아도 돼요."
    ),
    "id": (
        "Aku senang sekali kamu menuliskannya. Aku hanya asisten menggambar kecil dan tidak bisa memberi "
        "bantuan yang dibutuhkan, tapi ada orang yang bisa, sekarang juga:\n"
        "- Kalau ada yang dalam bahaya langsung, hubungi nomor darurat 112 atau 119.\n"
        "- Bicaralah dengan layanan dukungan, gratis dan rahasia: layanan kesehatan jiwa 119 ext. 8, atau "
        "temukan layanan untuk negaramu di findahelpline.com.\n"
        "- Kalau ini tentang teman: temani dia atau terus ajak bicara, anggap serius apa yang dia katakan, "
        "dan bantu dia menghubungi salah satu layanan ini.\n"
        "Kamu tidak harus menghadapi ini sendirian."
    ),
    "vi": (
        "Mình thật sự mừng vì bạn đã viết ra điều này. Mình chỉ là một trợ lý vẽ nhỏ và không thể giúp đúng "
        "cách điều này cần, nhưng có những người có thể, ngay bây giờ:\n"
        "- Nếu ai đó đang gặp nguy hiểm ngay lúc này, hãy gọi cấp cứu 115.\n"
        "- Nói chuyện với một đường dây hỗ trợ miễn phí và bảo mật: tìm đường dây ở nước bạn tại "
        "findahelpline.com.\n"
        "- Nếu đó là một người bạn: ở bên họ hoặc tiếp tục trò chuyện, coi trọng những gì họ nói và giúp họ "
        "liên hệ một trong những đường dây này.\n"
        "Bạn không phải một mình trải qua chuyện này."
    ),
}
# lid.176 names a few languages by a neighbour's code or splits one the answers treat as one
_SAME_ANSWER = {"zh-tw": "zh", "zh-cn": "zh", "yue": "zh", "wuu": "zh", "ms": "id"}


def support_answer(message: str) -> str:
    """Where to find help, in the language the message is written in (English when the language
    is unsure or has no answer written for it)."""
    guesses = language_guesses(message, k=2)
    if not guesses:
        log.warning("language identification failed; answering in English")
        return SUPPORT_ANSWERS["en"]
    first = next(iter(guesses))
    first_score, second_score = [*guesses.values(), 0.0][:2]
    language = _SAME_ANSWER.get(first, first)
    sure = first_score >= LANGUAGE_CONFIDENCE or first_score >= LANGUAGE_LEAD * second_score
    if not sure:
        return SUPPORT_ANSWERS["en"]
    return SUPPORT_ANSWERS.get(language, SUPPORT_ANSWERS["en"])


def needs_support(message: str, studio: Studio | None) -> bool:
    """Does a message that asks for no picture speak of wanting to die or of hurting oneself (or of
    a friend who does), in any language the policy heads read? The crisis-topic head reads the
    topic; the aspect head's self_harm reads a request for a method. A picture request goes to the
    gate, which refuses self-harm with its own rule. Without a policy agent (or when it fails),
    the chat model answers as before: this answer is added care, not the gate."""
    if studio is None or asks_for_a_picture(message):
        return False
    try:
        agent = getattr(studio, "policy_agent", None)  # loads it on first use, which may fail
        if agent is None:
            return False
        crisis = agent.crisis_probability(message)  # None without a crisis head for these adapters
        if crisis is not None and crisis[0] >= crisis[1]:
            return True
        return agent.aspect_probabilities(message)["self_harm"] >= SUPPORT_BAR
    except Exception as error:  # noqa: BLE001 - never let the added check break the turn
        log.warning("the support check failed (%s); the chat model answers", type(error).__name__)
        return False
