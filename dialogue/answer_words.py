"""How Japanese callers answer: cue words read on the normalised text (see shared/notes/japanese-answers.md).

These are facts of the language, not of one company, so they live here rather than in a bot's data.
Each pattern is matched on the normalised utterance; kana forms cover all-hiragana ASR output.
"""

from __future__ import annotations

import re

# punctuation, pause marks and the politeness that wraps a short answer: removed before asking whether
# an utterance is *only* a command (「もう一度お願いします」) or *only* a hesitation
_WRAP = re.compile(
    r"[\s、。,.!?！？…‥・「」『』()（）ー〜~]+|"
    r"(お願い|おねがい)(します|いたします|できますか|できません(か|かね))?|(して)?(ください|下さい|くださいませ|ちょうだい|くれ(る|へん|ない)?(か)?)|"
    r"(いただけ|もらえ|頂け)(ます|ません)?か?|(もらって)?(いい|よろしい)(です)?か|です(か|よね|ね|よ|けど|が)?|ます(か|ね|よ)?|"
    r"(ちょっと|すみません|すいません|あの|えっと|えと|えー|あー|うーん|んー|まあ|ええと|そのー|あのー|はい)"
)
# 「もう一度」 and its kin, as the whole utterance
_REPEAT = re.compile(
    r"(もう|も)?(一度|いちど|一回|いっかい|1回|1度|いっぺん|一遍|ちょっと)?"
    r"(言って|いって|ゆって|言うて|いうて|言っていただけ|おっしゃって|繰り返して|くりかえして|"
    r"聞こえ(なかった|ません(でした)?|へん(かった)?|ない)|きこえ(なかった|ません(でした)?|ない)|聞き取れ(なかった|ません(でした)?)|"
    r"ききとれ(なかった|ません(でした)?))?|"
    r"え|は|なんて|何て|何|なに|なんと|何と|なんやて|何やて|もういっかい|もういちど|もう一度|もう一回|もう1回|もう1度|"
    r"もっかい|もういっぺん|もう一遍|繰り返し|くりかえし|リピート"
)
_START_OVER = re.compile(r"(最初|さいしょ|はじめ|初め|始め)から(やり直し|やりなおし|もう一度|もういちど|で|だ|に)?")
_REPEAT_WORD = re.compile(r"もう(一度|いちど|一回|いっかい|1回|1度|いっぺん)|もっかい|繰り返|くりかえ|聞こえ|きこえ|聞き取れ")

# a yes or a no at the start of the reply (after a backchannel はい the content decides, see `lead`)
YES = re.compile(
    r"^(はい|はーい|ええ|うん|うむ|そう(です|だ|や|よ|そう|ね|なんです)|その(通り|とおり)|おう|"
    r"お願い|おねがい|頼みます|たのみます|頼むわ|オッケー|OK|ok|了解|りょうかい|わかりました|分かりました|かしこまり|"
    r"それで(いい|お願い|大丈夫|結構|かまいません|構いません|ええ)|合って|あって(ます|る)|間違い(ない|ありません)|まちがいない|"
    r"ええよ|ええで|かまへん|せや|そや|よか|んだ|ええがね|だからよ|いいよ|いいです(よ)?$|いいですね|いいわよ|"
    r"正解|せいかく|大丈夫です$|お願いします)"
)
NO = re.compile(
    r"^(いいえ|いえ|いや|いーや|違|ちが|ちゃう|ちゃいま|ちゃいます|だめ|ダメ|そうじゃな|そうではな|そうでは|"
    r"やっぱり(いい|やめ|いらな|結構)|ノー|no)"
)
# 大丈夫 / 結構 / いいです / 構いません: at an offer a decline, at a confirmation an acceptance
CONTEXT_YES_NO = re.compile(
    r"^(大丈夫|だいじょうぶ|だいじょぶ|結構|けっこう|いいです|いい|構いません|かまいません|平気|へいき|要らない|いらない|いりません|要りません)"
)
# polite refusals without a no: 「今回はやめておきます」「考えておきます」「ちょっと…」
REFUSAL = re.compile(
    r"(やめて?おき|やめとき|やめとく|やめます|やめておこう|やめときます|やめにし|考えておき|考えとき|かんがえておき|"
    r"今回は(いい|結構|大丈夫|やめ|遠慮|見送)|遠慮し|見送|必要ない|必要ありません|いらないです|要らないです|結構です|"
    r"いいです$|大丈夫です$|けっこうです|^ちょっと$|^ちょっと…|キャンセルしない|しないでおき)"
)

# a clear closing (anything-else?, or at any time): the caller is done
FINISHED = re.compile(
    r"(以上|いじょう|大丈夫|だいじょうぶ|結構|けっこう|ないです|ありません|ないよ|ないわ|ない$|特に|とくに|それだけ|"
    r"もうええ|もういい|十分|じゅうぶん|おおきに|ほな|ありがと|ありがとう|助かりました|たすかりました|終わり|おわり|"
    r"失礼し|しつれいし|さようなら|さよなら|切ります|きります|ごきげんよう|どうも|"
    r"解決し|わかりました$|分かりました$)"
)
CLEAR_GOODBYE = re.compile(r"(失礼します|失礼いたします|しつれいします|さようなら|さよなら|切ります|きります|ほなまた|ではまた|バイバイ)")
# not a closing, though it may start like one: 「じゃあ、何時までですか」「あとひとつ」「それと」
MORE_TO_ASK = re.compile(
    r"(あと(ひと|一|1)つ|もう(ひと|一|1)つ|それと|ついでに|別の(件|こと|用件)|べつの|ほかに(も|聞き|ききた|確認)|"
    r"他に(も|聞き|確認)|聞きたい|ききたい|教えて|おしえて|質問|確認したい|お聞きし|伺いたい|うかがいたい)"
)
QUESTION = re.compile(r"([?？]|(です|ます|でしょう|んです|のです|ますでしょう|でした|ました|やろ|やろう|だろう)か$|"
                      r"(何|なん|なに|いつ|どこ|どう|どれ|どちら|いくら|何時|なんじ)|(か|かね|かな|の)$)")

# no answer to give: that is an answer (offer another way), not a failure to understand
DONT_KNOW = re.compile(
    r"(わから|分から|わかん|分かん|わかりませ|分かりませ|知らな|しらな|存じ|覚えて(い)?な|おぼえて(い)?な|忘れ|わすれ|"
    r"見当たら|みあたら|手元にな|てもとにな|控えて(い)?な|任せて|まかせて|見つからな|みつからな|どこにあるか)"
)
# only hesitating: 「えーっと…」「ちょっと待ってください」「今探します」
HESITATION = re.compile(
    r"^((ちょっと|ちょ|少々|少し|すこし)?(待って|まって|お待ち|おまち)(て|ね|な)?|"
    r"(今|いま)?(探し|さがし|調べ|しらべ|見|み|確認し|かくにんし)(ます|てみます|ますね|るね|るから|てる|ています)|"
    r"えーっと|えっと|ええと|えー|あー|あのー|うーん|んー|そうですね|そうやな|そうだな|なんだっけ|なんやったかな|何だっけ|"
    r"どこだっけ|ど忘れ|ちょっと)+$"
)
# grief, panic, confusion: an empathetic line and a person, never 「聞き取れませんでした」
DISTRESS = re.compile(
    r"(亡くな|なくなりまして|なくなって|他界|葬儀|葬式|そうしき|お通夜|四十九日|急死|遺品|逝って|死んで(しま|もう)|"
    r"入院し|にゅういんし|倒れ|たおれ|救急|きゅうきゅう|事故に|じこに|"
    r"どうしたらいい|どうしたらええ|どうすればいい|どないしたら|どうしよう|困り果て|途方に|頭が真っ白|"
    r"何が何だか|なにがなんだか|何もわからな|なんもわからん|パニック|助けて|たすけて)"
)
# the start of a reply that is a correction: 「いや、…」「ちがう、…」 before the right value
CORRECTION = re.compile(r"(じゃなくて|ではなくて|じゃなかった|ちがう|違う|違い|ちゃう|間違え|まちがえ|訂正|いや)")


def bare(text: str) -> str:
    """The utterance without punctuation, fillers and the politeness around a short answer."""
    return _WRAP.sub("", text)


def only_repeat(text: str) -> bool:
    """「もう一度お願いします」「え？なんて？」: a request to hear it again, and nothing else."""
    core = bare(text)
    return bool(_REPEAT_WORD.search(text) or re.fullmatch(r"[えは]|なんて|何て|なに|何", core)) and (
        _REPEAT.fullmatch(core) is not None or core == ""
    )


def only_start_over(text: str) -> bool:
    return _START_OVER.fullmatch(bare(text)) is not None


def only_hesitation(text: str) -> bool:
    core = re.sub(r"[\s、。,.!?！？…‥・ー〜~]+", "", text)
    return core == "" or HESITATION.fullmatch(core) is not None
