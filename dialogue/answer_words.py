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
    r"(ちょっと|すみません|すいません|あのー|あの|えーっと|えーと|えっと|えと|えー|あー|うーん|んー|まあ|ええと|そのー|はい)"
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
# 「最初から」「やっぱり最初からやり直したいです」「やり直しで」: after bare() (no fillers, no です/ください)
_START_OVER = re.compile(
    r"(あ|あっ|いや|いえ)?(やっぱり|やっぱ|やはり)?(もう(一度|いちど|一回|いっかい)?)?"
    r"((最初|さいしょ|はじめ|初め|始め)から(やり直|やりなお|言い直|いいなお)?|(やり直|やりなお))"
    r"(し|したい|したいん|して|してほしい|させて|しさせて|しで)?(で|だ|に|頼む|たのむ|頼み|たのみ|もう一度|もういちど)?"
)
# a word of hearing it again, anywhere in the turn (the classifier's "repeat" is believed only beside one)
REPEAT_WORD = re.compile(r"もう(一度|いちど|一回|いっかい|1回|1度|いっぺん|一遍)|もっかい|繰り返|くりかえ|聞こえ|きこえ|聞き取れ|ききとれ")
# the caller about to say something again themselves (「すみません もう一度 番号を 言いますね」): no repeat asked
SAYS_IT_AGAIN = re.compile(r"(言い|いい|申し|もうし)(ます|直します|なおします)(ね|よ|から|けど|が)?[。.!\s]*$|(言う|いう)(ね|よ|わ|で)[。.!\s]*$")

# a yes or a no at the start of the reply (after a backchannel はい the content decides, see `lead`)
YES = re.compile(
    r"^(はい|はーい|ええ|うん|うむ|そう(です(?!か)|だ|や|よ|そう|ね|なんです(?!か)|$|(?=[、。,\s]))|その(通り|とおり)|おう|"
    r"お願い|おねがい|頼みます|たのみます|頼むわ|オッケー|OK|ok|了解|りょうかい|わかりました|分かりました|かしこまり|"
    r"おk|おK|おけ|おっけ|おーけー|オーケー|うぃっす|うっす|"  # chat: 「おk」「おけまる」
    r"わかった|分かった|わかったわ|わかりましたわ|わかりやした|わかっただ|わかったべ|わかったで|"
    r"それで(いい|お願い|大丈夫|結構|かまいません|構いません|ええ)|合って|あって(ます|る)|間違い(ない|ありません)|まちがいない|"
    r"ええよ|ええで|かまへん|せや|そや|よか|んだ|ええがね|だからよ|"
    # Okinawa: 「だからさー、それでいいさー」 (that's it); 「だからさ、違うって」 is no yes
    r"だからさ[ー〜]*(?=[、,\s]*(それで|そう|いい|ええ|$))|いいよ|いいです(よ)?$|いいですね|いいわよ|"
    # Kyoto: へえ is yes only with what follows it (alone it is surprise); そうどす is そうです
    r"へえ(?=[、,\s]*(そうどす|そうです|そうして|お願い|おねがい|おおきに|頼|たの|よろし|それで|ええ))|そうどす|"
    r"正解|せいかく|大丈夫です$|お願いします|ぜひ|是非|もちろん|勿論|(間違|まちが)って(い)?(ない|ません|へん))"
)
NO = re.compile(
    r"^(いいえ|いえ|いや|いーや|違|ちが|ちゃう|ちゃいま|ちゃいます|だめ|ダメ|そうじゃな|そうではな|そうでは|"
    r"やっぱり(いい|やめ|いらな|結構)|ノー|no|(間違|まちが)って(い)?(る|ます))"
)
# 大丈夫 / 結構 / いいです / 構いません: at an offer a decline, at a confirmation an acceptance
CONTEXT_YES_NO = re.compile(
    # an interjection the normaliser glued on (ASR 「あ だいじょうぶです」 -> あだいじょうぶです) stays in front
    r"^(?:あっ?|ああ|あー|えっと|ええと|うーん)?(大丈夫|だいじょうぶ|だいじょぶ|結構|けっこう|いいです|いい|構いません|かまいません|平気|へいき|要らない|いらない|いりません|要りません|"
    r"よか(?![っろら]))"  # Kyushu 「よかです」: fine (a decline at an offer)
)
# 「それで大丈夫です」「その日でいいです」: what was read back or offered, accepted; the 大丈夫/いい/結構 here
# points at それ, so it is a yes at a confirmation and at an offer alike (before REFUSAL reads 大丈夫です$ as no)
ACCEPT_AS_SAID = re.compile(
    r"^(ほな|ほんなら|ほんだら|じゃあ|じゃ|では|なら|そしたら)?[、,\s]*"
    r"(それ|そちら|そっち|これ|こちら|その(内容|日|時間|日時|番号|住所|通り|とおり|方)|この(内容|日|時間|番号|電話|電話番号)|"
    r"今の(内容|番号)?|今かけてる(番号|電話))"
    r"(で|でも)([、,\s]*(いい|ええ|よか|大丈夫|だいじょうぶ|結構|けっこう|構いません|かまいません|かまへん|お願い|おねがい|頼|たの|"
    r"よろし|オッケー|OK|ok|問題(ない|ありません))|[、。.!\s]*$)"
)
# polite refusals without a no: 「今回はやめておきます」「考えておきます」「ちょっと…」
REFUSAL = re.compile(
    r"(やめて?おき|やめとき|やめとく|やめます|やめておこう|やめときます|やめにし|考えておき|考えとき|かんがえておき|"
    # 「やっぱりちょっと考えます」: not now
    r"(考え|かんがえ)(ます|てみます|直します|なおします)(?![かっ])|"
    r"今回は(いい|結構|大丈夫|やめ|遠慮|見送|…|\.\.\.|$)|遠慮し|見送|必要ない|必要ありません|いらないです|要らないです|結構です|"
    r"いいです$|大丈夫です$|けっこうです|^ちょっと$|^ちょっと(…|\.\.\.)|(は|も|、)ちょっと(…|\.\.\.|$)|キャンセルしない|"
    r"^ちょっと[、\s]*(今|いま)(は|じゃ|は[、\s]*ちょっと)?(…|\.\.\.|$)|"
    r"しないでおき|もうええ|もういい(わ|よ|です)?$|いらんわ|いらん$)"
)

# leading words that only introduce the answer: 「ほな、頼むわ」「えーと…じゃあ、お願いします」
LEAD_IN = re.compile(r"^([…‥・.\s、,]+|(ほな|ほんなら|ほんだら|んだら|んだば|じゃあ|じゃ|では|それでは|それなら|なら|ほいじゃ|そしたら|"
                     r"えーと|えっと|ええと|うーん|あの|まあ|あっ|あー|ああ|あ|えっ|え|おっ|お)[、,…\.\s!?]+|"
                     # (a pause before the answer: 「…はい、じゃあそれで」)
                     # back after asking the bot to wait: 「すみません おまたせしました はい キャンセルで」 (the normaliser
                     # drops the recogniser's spaces between kana, so no pause is needed after it)
                     r"(?:(?:すみません|すいません)[、,\s]*)?(?:お待たせ|おまたせ)(?:しました|いたしました|しまして)[、,…\.\s!?]*)+")
# an ask in the words, wherever it stands: 「…じゃあ、お願いします」
ASKS = re.compile(r"(お願い|おねがい|頼みます|頼むわ|頼む$|たのむ|たのみます|頼んます|してちょう|してけろ|してくれ|してください|"
                  r"おくれやす|しておくれ|おたのもうします|おたの申します)")
# the thing offered, asked for in a request form (「送ってください」「電話してもらえますか」「かけてほしい」): at an
# offer, a yes; not after ない (「送らないでください」)
ASK_FOR_IT = re.compile(r"(?<!ない)(て|で)(ください|下さい|くださる|くれ|おくれ|もらえ|もらい|もろて|もらお|いただけ|頂け|いただき|頂き|"
                        r"ほしい|欲しい|ちょうだい|ちょ$)")
# a request to wait or to think, not for the thing offered (「ちょっと待ってください」「考えさせてもらえますか」)
HOLD_ON = re.compile(r"(待って|まって|待っと|考えさせ|かんがえさせ|確認させ|調べさせ|相談させ|見させ|やめて|止めて|とめて|"
                     r"つないで|繋いで|代わって|かわって|切って|きって)")
# off to find the answer (「ちょっと待っとってください、今孫に聞いてきますけん」): a caller who does not know it yet
# asks the bot to wait, not to be handed over
GOING_TO_FIND = re.compile(
    r"(聞いて|きいて|見て|みて|探して|さがして|調べて|しらべて|取って|とって|持って|もって)(き|く)(ます|る|ますけん|ますんで|ますね|ますから|ますので)"
    # 「…見つからなくて…ちょっと探します」: looking for it here, not going anywhere
    r"|(探し|さがし|調べ|しらべ)(ます|ますね|ますので|ますんで|てみます|てみますね)(?!か)|(見て|みて)(みます|みますね)(?!か)"
    # 「番号はいまメール探してます」: looking for it now
    r"|(探し|さがし|調べ|しらべ)て(ます|ますので|ますんで|る|いる|います)(?!か)"
    # 「ようわからんから むすこに かわります」: the phone handed to someone who knows
    r"|(息子|むすこ|娘|むすめ|孫|まご|主人|しゅじん|家内|嫁|よめ|夫|妻|家族|かぞく|母|はは|父|ちち|旦那|だんな)(に|と)[、\s]*"
    r"(代わり|かわり|替わり|代わって|かわって)(ます|ますね|ますので|ますんで|ますけん|もらいます)"
)
# the request given up at its read-back (「やっぱり再配達はやめときます」「今回はなしで」), not a detail said wrong
GIVE_UP = re.compile(
    r"(やめ(て)?(おき|とき|とく|ます|る|よう|にします|にしとき)|やめとこ|取りやめ|とりやめ|しないで(おき|おく|おこう|いい|ええ)|(今回|こんかい)は(なし|無し|いい|結構)|"
    # (not 「この電話でいいです」: X で いい is a yes to X)
    r"(?<!で)(?<!で )(もう)?(いい|結構|けっこう)です(わ)?$|自分で(取り|とり)に|じぶんで(取り|とり)に)"
)
# a person now rather than a call later, said at a callback question (「やっぱり今つないでもらえますか、待ちますんで」)
CONNECT_NOW = re.compile(
    r"(今|いま|すぐ|このまま)[^。]{0,8}(つないで|繋いで|つなげて|つながせ|代わって|かわって|話したい|はなしたい|話せ|はなせ)|"
    r"(待ちます|まちます|待ってます|まってます|待っとく|まっとく)(ので|んで|から|けん|さかい|よ)?[。、!\s]*$"
)
# the number the caller is calling from, named instead of said (「この電話です」「今かけてる番号で」)
THIS_NUMBER = re.compile(
    r"^(あの|えっと|えーと)?[、,\s]*"
    # the question echoed first: 「登録の電話番号？この電話ちゃうかな」
    r"(((ご)?登録|とうろく)の(お)?(電話|でんわ)(番号|ばんごう)?(ですか|か|ね)?[?？、,\s]*)?"
    r"(この|今の|いまの|今かけてる|いまかけてる|今かけている|今おかけしている|今お電話している|今電話してる|"
    r"かけてる|かけている|こちらの|こっちの)[、,\s]*(この)?(電話|でんわ|番号|ばんごう|携帯|けいたい|スマホ)(番号|ばんごう)?"
    r"(です|でお願いします|でお願いいたします|で|だ|や|でいい(です)?|で大丈夫(です)?|でええ|にお願いします|に)?"
    # hedged: 「この電話ちゃうかな」「この番号だと思います」「この携帯じゃないですかね」
    r"(ちゃうかな|ちゃうか|ちゃう\?|ちゃいます\?|じゃないかな|じゃないですかね|じゃないかと|やと思う|やと思います|"
    r"だと思う|だと思います|だったと思います|かな|かと|やったかな|だったかな)?[、。.!?？\s]*$"
)
# hedged: 「たぶん大丈夫…かな」「今のところは、まあ…」: perhaps a closing, to be confirmed, never assumed
HEDGE = re.compile(r"(たぶん|多分|かな$|かな(…|\.\.\.)|かしら|今のところ|いまのところ|とりあえず|^まあ|、まあ)")

# it helped or not, after an answer from the knowledge base
NOT_SOLVED = re.compile(r"(わから|分から|わかん|解決し(て)?(い)?(な|ませ)|解決でき(て)?(い)?(な|ませ)|解消(され|し)(て)?(い)?(な|ませ)|違う|ちがう|そうじゃな|知りたいのは|聞きたいのは|まだ|ではなく|じゃなく)")
# 「いえ、コンビニで払います」 to 「解消されましたでしょうか」: the no waves off more help, the caller has their plan
OWN_PLAN = re.compile(
    r"^(いいえ|いえ|いや|ううん)[、,\s]*[^?？]{0,16}?(払います|はらいます|支払います|しはらいます|行きます|いきます|"
    r"やってみます|やります|試してみます|ためしてみます|見てみます|みてみます|調べてみます|しらべてみます|確認してみます|"
    r"待ってみます|待ちます|まちます|自分で|じぶんで)"
)
# an acknowledgment only, with nothing after it: 「なるほど」「おけ」「そっか」: perhaps the end, to be confirmed
# 「はいはい、そうです」「そうそう」 (after bare(): そう): agreement with what was said, no answer to "anything else?"
ACKNOWLEDGE = re.compile(
    r"(なるほど|おけ|おっけー|オッケー|OK|ok|りょ|りょうかい|りょーかい|了解|そっか|そうか|そうなんだ|ふーん|へえ|はーい|うん|"
    r"ええ|そう|そうそう|んだ|んだんだ|よかよか|ほうか|ほうですか|ほうじゃね|ほうなんじゃ|そうですか|そうなんですか|わかったばい|わかったけん|わかったけえ|わかりました(ばい|けん)|そうね|そうだね|そやな|せやな|そやね|せやね|その通り|そのとおり|"
    # 「わかった」「承知しました」 to "anything else?": the answer understood, not "yes, there is more"
    r"わかりました|分かりました|わかった|分かった|わがった|わがりました|わかったわ|わかりましたわ|わかりやした|承知しました|承知|しょうち|了解しました)+"
)

# a clause that only takes in what was said (なるほど, そういうことね, 了解です, はいはい)
_ACK_CLAUSE = re.compile(r"(?:(?:あー|ああ|あ|はいはい|はい)?(?:" + ACKNOWLEDGE.pattern + r"|そういうこと|そういう事)"
                         r"(?:です|ですね|ですか|ね|か|なんですね|なんや|やね|やな|だね)?)+"
                         # 「届いてからなんですね」「八日なんや」: what was said, said back as understood (no question)
                         r"|[^?？]{1,16}(?:なんですね|なんですねえ|んですね|なのね|なんやね|なんやな|なんだね|なんだ)"
                         # 「夜の九時までね」: the hours said back
                         r"|[^?？]{1,16}(?:までね|までですね|からね|からですね)"
                         # 「注文履歴のページですね」: the answer's words said back
                         r"|[^?？、。,]{2,16}(?<![かまでし])ですね(?=[、。,!！\s]|$)")
# a sound of surprise (あ, ええ) that leads into what was understood: 「あ、届いてからなんですね」 (before a thank-you
# alone, 「ああ、ありがとうね」, it is no closing: the elderly thank the bot at every step)
_OH = re.compile(r"あ|あっ|あー|ああ|え|えっ|えー|へえ|ほう|おお")

# a clear closing (anything-else?, or at any time): the caller is done
FINISHED = re.compile(
    # 以上 after an amount or a count is "or more" (「何円以上で送料無料でしたっけ」), not "that is all"
    r"((?<!円)(?<!えん)(?<![0-9０-９個人件本枚回度倍つ点])(以上|いじょう)|大丈夫|だいじょうぶ|だいじょぶ|結構|けっこう|(?<!てしかた)(?<!て仕方)(?<!でしかた)(?<!で仕方)(?<!てしょうが)(?<!たまら)(?<!やりきれ)(?<!情け)(?<!なさけ)ないです|ありません|ないよ(?!う)|ないわ|(?:^|(?<=[もうにはが、\s]))ない$|特に|とくに|それだけ|それだげ|"
    r"もうええ|もういい|十分|じゅうぶん|おおきに|"
    # 「それさえわかればいいです」「それだけ分かればええわ」: what the caller wanted to know, known
    r"(それ|これ)(さえ|だけ)[、\s]*(分か|わか|聞け|きけ)れば(いい|ええ|よか|十分|じゅうぶん|大丈夫|だいじょうぶ|結構|けっこう|オッケー)|"
    # 「いいえ きかんが しりたかった だけです」 to 「解消されましたでしょうか」: that was all they wanted to know
    r"(知りたかった|しりたかった|聞きたかった|ききたかった|確認したかった|かくにんしたかった)(だけ|んです|の)|"
    # ほな (Kansai "well then") closes alone or before a goodbye; 「ほな返品でええわ」 is a request
    r"ほな(?=[、。!！\s]*($|また|さいなら|さよなら|失礼|しつれい|おおきに|ありがと|どうも|これで|ええわ$|ええです$|いいです$|結構|けっこう))|"
    r"ありがと|ありがとう|助かりました|たすかりました|終わり|おわり|"
    # Tohoku: 「もう いがす」 (もういいです), 「ありがどがす」 (ありがとうございます)
    r"(?<![なか])いがす|えがす|ありがど|"
    r"失礼し|しつれいし|さようなら|さよなら|切ります|きります|ごきげんよう|どうも|"
    r"解決し|わかりました$|分かりました$|あざす|あざっす|あざーす|サンキュー|さんきゅ|センキュー|おつかれ|"
    r"おしまい|ないっす|ない(けん|けえ|ばい|っちゃ|べさ|さ)$|"
    # the Eastern and Tohoku ねえ (= ない) of a short reply: 「ねえな」「なんもねえです」 (not ねえちゃん, not ねえ、…)
    r"^(もう|特に|とくに|なんも|何も|なにも|いや|いや、|ほかは|他は)?ねえ(な|よ|です|べ|っす|なあ|ですね|わ)?$|なんもねえ|"
    # Kyushu よか (= いい, no need): 「そうですか、よかです」「ほんならよかです」 after an answer
    r"(^|[、 ]|なら|じゃあ|ほんじゃ)よか(です|よ|ばい|と|たい)?$|"
    r"(^|[、 ]|なんも|何も|なにも|もう|特に|とくに)なか(です|よ|ばい|と|たい|ですよ)?$|"
    # 「それで全部です」「なるほど、これで全部」 (全部キャンセル is a request: only at the end)
    r"(それで|これで|以上で|いじょうで)?(全部|ぜんぶ)(です|っす|だ|や|よ|かな|ですね|になります)?[。!！\s]*$|"
    # 「なんも いいっす」「なんも いらねえ」 (Tohoku, Hokkaido: nothing more, thanks)
    r"(なんも|何も|なにも)[、\s]*(いい|ええ|いらない|いらん|いらね|要らない|要らん)|もうよか|(^|[、 ])なし(です|で|っす)?$|"
    r"これで(いい|大丈夫|結構|十分|ええ)|用は(済|す)み|また(何か|なにか)?あったら|また(かけ|電話|でんわ)|"
    # the caller settles for the answer: 「ほんなら待ってみます」「様子を見ます」 after a delivery read-out
    r"(待|ま)って(み|お)(ます|る|よう|ましょう)|(待|ま)っと(き|く)(ます)?|(待|ま)ちます$|様子(を)?見(ます|てみます|とき)|"
    # the caller will see to it themselves: 「ヤマトさんに連絡してみます」「自分で確認してみます」
    r"(連絡|れんらく|問い合わせ|問合せ|といあわせ|確認|かくにん|相談|そうだん|電話|でんわ)(して|し)(み|お)(ます|る|よう|ましょう)$)"
)
# (「わかりましたいじょうです」 as a recogniser joins it holds no たい: ました|いじょう)
_ASKS_SOMETHING = re.compile(r"[?？]|(ですか|ますか|でしょうか|ませんか|か|かね|の)$|(たい(?!じょう)|ほしい|欲しい|教えて|おしえて)")


_BARE_NO = re.compile(r"(いいえ|いえ|いや|いーや|ううん|(?i:no|nope|nah))")


_BREATH = re.compile(r"[、。,.!?！？…‥\s]+")
# a question about the thing asked for, not an answer: where it is written (「それはどこに書いてあるんですか」),
# what it is (「注文番号って何ですか」); answered with where to find it, and the question stays open
WHERE_TO_FIND = re.compile(
    r"(どこ|何処)(に|を|で|へ|の|から)?[^。？?]{0,6}(書いて|かいて|書いと|かいと|書かれ|かかれ|載って|のって|載っと|のっと|記載|きさい|"
    r"印字|見れば|みれば|見たら|みたら|見ると|みると|確認でき|わかる|分かる|わかります|分かります|わかん|分かん)"
    r"|(ご?注文番号|ちゅうもんばんごう|チュウモンバンゴウ|番号|ばんごう|それ)(って|とは|ってのは|いうのは|ゆうのは)[^。]{0,4}(何|なに|なん|どれ)"
    # 「なに ばんごう? なんの ばんごう?」「どの番号のこと？」: which number is meant, asked back
    r"|(なんの|何の|なにの|どの|どこの|なに|何)[、\s]*(番号|ばんごう)(\s*(ですか|のこと|って|[?？]))"
    # which number is meant (「注文確認メールの件名にある番号のことですか」「携帯の方でいいですか」): asked, not answered
    r"|(ご?注文番号|ちゅうもんばんごう|番号|ばんごう)(って|とは|は)[^。？?]{1,24}(のこと|の番号)(です|でしょう|でしょ)?か?[?？]"
    r"|(携帯|けいたい|ケータイ|ケイタイ|スマホ|自宅|じたく|家|いえ|うち|固定)(の)?(電話|でんわ)?(の)?(番号|ばんごう|方|ほう)?"
    r"(で|でも)(いい|ええ|大丈夫|だいじょうぶ|よろし|構いま|かまいま|かまわ|構わ)[^。]{0,6}(か|の|ん)?[?？]"
)
# may the keypad be used (「でんわの ぼたんで おしても いいんですか」): yes, and the question stays open
KEYPAD_OK = re.compile(
    r"(ボタン|ぼたん|プッシュ|ぷっしゅ|番号キー|数字のキー|ダイヤル|だいやる)[^。]{0,8}(押|お)し(て|ても|たら)[^。]{0,3}"
    r"(いい|よい|良い|ええ|大丈夫|だいじょうぶ|かまわ|構わ|いけ|できま|でき)[^。]{0,6}(か|の|ん|\?|？)"
)

# the time left to the bot, said to another question (「いちばん はやい じかんで おねがいします」 when the number was
# being confirmed): only words about time, not 「どちらでも」, which answers the question asked
ANY_TIME = re.compile(
    r"(いつでも|何時でも|なんじでも|何日でも|なんにちでも|どの日でも|(一番|いちばん|イチバン)(早|はや)|最短|さいたん|最速|"
    r"(なるべく|なるだけ|できるだけ|出来るだけ|できる限り|出来る限り)(早|はや)|(早|はや)い(ほう|方|時間|日|うち))"
)

# the choice left to the bot (「いつでもいいです」「一番早い時間で」「そちらのご都合で」「お任せします」): at a question whose
# step says where to go then (`no_preference`), the first time that can be offered; elsewhere not read
NO_PREFERENCE = re.compile(
    r"(いつでも|何時でも|なんじでも|何日でも|なんにちでも|どの日でも|どっちでも|どちらでも|"
    r"(なんでも|何でも)[、\s]*(いい|ええ|よか|かまわ|構わ|大丈夫|だいじょうぶ)|"
    r"(一番|いちばん|イチバン)(早|はや)|最短|さいたん|最速|(なるべく|なるだけ|できるだけ|出来るだけ|できる限り|出来る限り)(早|はや)|"
    r"(早|はや)ければ|(早|はや)い(ほう|方|ところ|とこ|時間|日|うち)|(早|はや)めが|(早|はや)いのが|"
    r"(特に|とくに|別に|べつに)[、\s]*(希望|きぼう|指定|してい|こだわり)?(は|とか|も)?[、\s]*(ない|ありません|ございません|ないです|ないで|あらへん|ないっす|なか)|"
    r"(お|おお?)?(任せ|まかせ)|そちら(さん|様)?の(ご)?都合|そっちの都合|そちらに合わせ|(空|あ)いて(る|いる)(時|とき|日|ひ|時間)|"
    r"(ご)?都合の(いい|よい|良い)(時|とき|日|ひ|時間))"
)

# what may follow a bare yes or no: 「だからよー」「はいはいね」「んだす」
_YES_NO_TAIL = re.compile(r"(ね|よ|な|さ|ぞ|わ|のう|ー|〜|~|です|っす|す|はい|うん)*")


def only_yes_or_no(text: str) -> bool:
    """Every clause is a bare yes or no word (「だからよ」 Okinawan "right", 「んだ」, 「ちゃうちゃう」): the words the
    harassment head knows from other lines (だから言ってんだろ) say nothing more here."""
    parts = [p for p in _BREATH.split(text) if p]
    if not parts:
        return False
    for part in parts:
        m = YES.match(part) or NO.match(part)
        if m is None or not _YES_NO_TAIL.fullmatch(part, m.end()):
            return False
    return True


_QUESTION_MARK = re.compile(r"[?？]")
_EN_CLAUSE_END = re.compile(r"[,.!;]+")
_THANKS_LAST = re.compile(r"(ありがとう(ございます|ございました)?|どうも(ありがとう)?|おおきに|(?i:thanks?( you)?( so much| very much)?|"
                          r"thank you( so much| very much)?|cheers))")


def only_closing(text: str) -> bool:
    """「なんもないです」「もう用はないです」「おしまいです」: every clause closes the call, none asks anything."""
    # English clauses end at punctuation, not at every space ("no, that's all, thanks")
    parts = [p.strip() for p in _EN_CLAUSE_END.split(text) if p.strip()] if text.isascii() else clauses(text)
    # (a question mark asks: 「おおきに ほんで イヤホンて在庫あるん？」, whose pauses the normaliser drops)
    if not parts or MORE_TO_ASK.search(text) or HEDGE.search(text) or _QUESTION_MARK.search(text):
        return False
    # a bare no before it (「いえ、もう大丈夫です」) takes back a "yes, one more thing"; it closes with the rest
    # a clause that only leads into the next (「届いてから、また電話します」) belongs to it: the main clause after it
    # must close (「もういいから人と話させて」 asks for a person)
    groups: list[list[str]] = []
    for part in parts:
        if groups and groups[-1][-1].endswith(("から", "ので", "たら", "てから")):
            groups[-1].append(part)
        else:
            groups.append([part])
    closing = [g for g in groups if bare("".join(g)) != "" and not _BARE_NO.fullmatch(bare("".join(g)))]
    # 「なるほど、ありがとうございます。以上です」: an acknowledgement before the closing clause is part of it
    def ack(g: list[str]) -> bool:
        return bool(_ACK_CLAUSE.fullmatch(bare("".join(g))) or _ACK_CLAUSE.fullmatch("".join(g).rstrip("、。!！ ")))

    closing = [g for i, g in enumerate(closing[:-1])
               if not (ack(g) or _OH.fullmatch("".join(g).rstrip("、。!！ ")) and ack(closing[i + 1]))] + closing[-1:]
    if len(closing) > 1 and _THANKS_LAST.fullmatch("".join(closing[-1]).strip(" 、。,.!！")):
        closing = closing[:-1]  # 「以上です、ありがとう」 "that's all, thanks": the thanks closes with it
    return bool(closing) and all(
        FINISHED.search(g[-1]) is not None and not _ASKS_SOMETHING.search("".join(g)) for g in closing)


# a closing led by a word of leaving (「ほな、ありがとう」「じゃあ、どうも」「それでは、ありがとうございました」): the
# caller is going, once served
LEAVING = re.compile(r"^(ほな|ほんなら|ほなら|ほんじゃ|ほいじゃ|じゃあ|じゃ|ほいじゃあ|それじゃあ?|それでは|では|ほしたら|そしたら)[、。 ]?")
CLEAR_GOODBYE = re.compile(r"(失礼します|失礼いたします|しつれいします|さようなら|さよなら|切ります|きります|ほなまた|ではまた|バイバイ)")
# the caller will call again themselves (「また後でかけ直します」「番号を調べてから電話します」): a goodbye for now,
# not a request for a callback (「かけ直してもらえますか」), nor a report of what was said (「電話しますって言われた」)
CALL_AGAIN = re.compile(
    r"(かけ直し|掛け直し|かけなおし|電話し直し|でんわしなおし|お電話し|電話し|でんわし|連絡し|れんらくし)"
    r"(ます|ますね|ますので|ますんで|ますわ|とくわ|ときます)(?![かっとがけ])")
# not a closing, though it may start like one: 「じゃあ、何時までですか」「あとひとつ」「それと」
MORE_TO_ASK = re.compile(
    r"(あと(ひと|一|1)つ|もう(ひと|一|1)つ|(あと|もう)(いっ|一|1)(こ|個|点)|もういっぺん聞|それと|ついでに|別の(件|こと|用件)|べつの|ほかに(も|聞き|ききた|確認)|"
    r"他に(も|聞き|確認)|聞きたい|ききたい|(教え|おしえ)て(?!(くださっ|下さっ|くれて|くれた|いただいて|頂いて|もろて))|質問|確認したい|お聞きし|伺いたい|うかがいたい)"
)
# nothing but "there is one more thing" (「あとひとつ聞いてもいいですか」「もう一点よろしいでしょうか」): no request in it
# to guess at, whatever the classifier leans to
ONLY_MORE_TO_ASK = re.compile(
    r"(?>(?:あの|えっと|えーと|すみません|すいません|じゃあ|では|はい)[ーぉ〜]*+[、,\s]*+)*+"
    r"(?:あと|もう|それと)(?:ひとつ|一つ|1つ|一点|1点|いっこ|1個|ちょっと)?(?:だけ)?[、,\s]*"
    r"(?:聞いて|きいて|お聞きして|質問して|質問|確認して|伺って|うかがって|お尋ねして|たずねて)?(?:も)?[、,\s]*"
    r"(?:いい|よろしい|ええ|大丈夫|ある|あります|あんねん|あるんや)?(?:ん)?"
    r"(?:です|でしょう|ですけど|やけど|けど)?(?:か|かね|かな|かしら)?[。?？!！…\s]*"
)
# 「これ機械の声？AIなの？」「人間の方ですか」: whether a person is speaking, asked and nothing else (「機械じゃ話にならん、
# 人を出して」 asks for a person: the classifier's operator_request)
_MACHINE = (r"(?:機械|きかい|ロボット|ろぼっと|(?i:ai)|エーアイ|人工知能|自動音声|じどうおんせい|自動応答|自動|じどう|"
            r"(?:チャット)?ボット|録音|ろくおん|人間|にんげん|人|ひと)")
_ASKS_IF_MACHINE = re.compile(
    # atomic and possessive: 「えっえっえっ…」 must fail at once, not try every way of splitting it (issue 12: no
    # input may stall a worker)
    r"[….、,\s]*+(?>(?:あれ|あの|えっ|え|ん|もしもし|ちょっと|すみません|すいません)[ーっ?？、,.\s…]*+)*+"
    r"(?:(?:これ|これって|あなた|そちら|そっち|今の|いまの|この声|このこえ)(?:は|って)?[、,\s]*)?"
    r"(?:" + _MACHINE + r"(?:の声|のこえ|の方|のかた|さん)?(?:なの|なん|なんですか|なんでしょうか|ですか|でしょうか|か|やろ|やんな|"
    r"やん|なのか|なんや|と|なんだ|かな|なのかな|かね|かいな|なんかね|なのね)?[?？!！。…、,\s]*){1,2}"
)
_ASKED = re.compile(r"[?？]|ですか|でしょうか|なの|なん|か$|やろ|やん|かな|かね$|かいな$")


def asks_if_machine(text: str) -> bool:
    return _ASKS_IF_MACHINE.fullmatch(text) is not None and _ASKED.search(text) is not None
# 「ほな、どないしたらええの？」「じゃあ、どうすればいいですか」 after an answer that could not do what was asked:
# what to do instead, which the answer said (a calm question, not a caller at a loss)
WHAT_NOW = re.compile(
    r"(?>(?:あー|ああ|あ|そうなんですね|そうなんや|そうなん|そうですか|そっか|なるほど|ふうん|へえ)[ーぁ、,.。!！\s…]*+)*+"
    r"(?:(?:もう|すでに|既に|やっぱり)[^。?？]{0,12}[。、…\s]+)?"  # the answer said back: 「もう発送してもうたん。」
    r"(?:じゃあ|じゃ|では|ほな|ほんなら|そしたら|それなら|なら|んだら|そんなら)?[、,\s]*"
    r"(?:私は|わたしは|うちは|わしは)?[、,\s]*"
    r"(?:どう|どない|どげん|どがい|どうやって)(?:したら|すれば|すりゃ|すりゃあ|せえば)(?:いい|ええ|よか|よい|良い|いいの|ええの|よかと)"
    r"(?:ん|の|と)?(?:です|でしょう|でしょうか|ですか|んですか|ですかね|や|やろ|やろか|かな|かね|かしら)?(?:か)?[?？。…\s]*"
)
# a second request joined to the first in one breath: 「届かないのと、あとポイントも」「営業時間と、それから在庫も」
# 「…なんですけど。それと、…」. Only the joint: whether both parts are requests is the classifier's to say.
# のと needs a pause or あと after it: 「注文したのと違う商品が届いた」 is one complaint, not two requests
_ALSO = re.compile(
    r"(?<=[^\s、。,])(?:のと|んと)(?=[、,\s]|あと|それと|それから)[、,\s]*(?:あと|それと|それから)?[、,\s]*|"
    # (「…ゴロゴロします。あ、ところで…」: an あ before the joint)
    r"[、。,.!?！？…\s]+(?:(?:あ|あっ|そうだ|そうそう)[、,\s]*)?(?:あと(?:は|もう)?(?:ひとつ|一つ|1つ)?|それと|それから|ついでに|それに|もう(?:ひとつ|一つ|1つ)|ところで|ちなみに|"
    # (「…たすかりました あ それとね しぶやの おみせは…」: the joint with a particle)
    r"加えて|くわえて|あわせて|併せて|ほんで|ほいで)(?:ね|ねえ|さ)?[、,\s]*|"
    # a recogniser's transcript without spaces: the question ended, then the next joined (「いくらですかあとぽいんとの…」)
    r"(?:(?<=ですか)|(?<=ますか)|(?<=でしょうか)|(?<=です))(?:あと(?!で)|それと|それから|ついでに|ところで)[、,\s]*|"
    r"(?i:[.?!,;]\s*(?:and\s+)?(?:also|plus|besides|one more thing|another thing)\b[,:]?\s*)|"
    # a second question in its own sentence, added with も and its topic left out: 「ポイントって何円で1ポイント
    # つくんですか？期限とかもあります？」 (not いつも, でも, もう: 「届かないんですか？いつもこうなんですか？」 is one grumble)
    r"(?<=[?？])\s*(?=[^。?？!！]*?(?<![いでどけつて])も(?![うし])[^。?？!！]*(?:[?？]|か)\s*$)"
)


# two things asked of one store in one noun phrase: 「渋谷店の営業時間と場所を教えて」「梅田店の場所と、あと何時までか」
_STORE_TOPIC = r"(?:営業時間|えいぎょうじかん|場所|ばしょ|住所|じゅうしょ|行き方|いきかた|アクセス|定休日|ていきゅうび|駐車場|ちゅうしゃじょう)"
_TWO_TOPICS = re.compile(rf"^(?P<pre>.*?)(?P<a>{_STORE_TOPIC})と[、,\s]*(?:あと|それと)?[、,\s]*(?P<b>{_STORE_TOPIC})(?P<post>(?:を|も|って|が|は|、).*)$")


# two things listed, each closed by と, before the third joined with あと: 「注文の配送状況の確認と、お届け日の変更と、」
_LISTED = re.compile(r"^(?P<a>[^、。,?？!！]{2,}?)と[、,\s]+(?P<b>[^、。,?？!！]{2,})と$")


def split_listed(text: str) -> tuple[str, str] | None:
    """The two things of a list said before a third (「Aと、Bと、あとC」: the words before あと), or None."""
    m = _LISTED.match(text.strip(" 、。,"))
    return (m["a"], m["b"]) if m is not None and bare(m["a"]) and bare(m["b"]) else None


def split_also(text: str, answer: bool = False) -> tuple[str, str] | None:
    """The two parts of a turn that joins a second request to the first, or None (no joint, or a part empty).
    `answer`: the first part answers a question, and may be a bare yes (「はい、お願いします。ところで…」)."""
    match = _ALSO.search(text)
    if match is None:
        two = _TWO_TOPICS.match(text)
        if two is not None and two["a"] != two["b"]:
            # each thing asked with the store and the words that ask it: 「渋谷店の営業時間を教えて」「渋谷店の場所を教えて」
            return two["pre"] + two["a"] + two["post"], two["pre"] + two["b"] + two["post"]
        return None
    head, tail = text[: match.start()].strip(" 、。,"), text[match.end() :].strip(" 、。,")
    return (head, tail) if (head if answer else bare(head)) and bare(tail) else None


QUESTION = re.compile(r"([?？]|(です|ます|でしょう|んです|のです|ますでしょう|でした|ました|やろ|やろう|だろう)か$|"
                      r"(何|なん|なに|いつ|どこ|どう(?!も)|どれ|どちら|いくら|何時|なんじ)|(か|かね|かな|かしら|の|っけ)$)")

# a request announced, not yet said (「ちょっとお聞きしたいことがあるんですけど」「相談があって」): the caller is
# asked what it is, never guessed at (a preamble is no complaint). A topic (注文の件で) is guessed and asked about.
# the call announced with who sent the caller, no request yet (「孫に言われて電話したんだけど」「娘に電話しろって言われて」):
# an elderly caller is asked what it is about, gently, not told they were not understood
SENT_TO_CALL = re.compile(
    r"(言われ|いわれ|頼まれ|たのまれ|勧められ|すすめられ)(て|た)?[^。?？]{0,6}(電話|でんわ)|"
    r"(電話|でんわ)(しろ|して|するよう|しなさい|しなって)[^。?？]{0,4}(言われ|いわれ|頼まれ|たのまれ)"
)
# a wrong number (「すみません、間違えました」 at the opening, 「間違い電話でした」, "sorry, wrong number"): thanked and let go
WRONG_NUMBER = re.compile(
    r"(間違い電話|まちがいでんわ|かけ間違|かけまちが|番号(を)?(間違|まちが)え|ばんごう(を)?まちがえ|電話(を)?(間違|まちが)え|"
    r"(違う|ちがう)(ところ|所)に(かけ|電話)|^(あ|あっ)?[、\s]*(すみません|すいません|ごめんなさい|失礼しました|しつれいしました)?[、\s]*"
    r"(間違え|まちがえ)(まし)?た[。.!\s]*$|(?i:wrong number))"
)
# the caller asks to be served in English, in either language (「英語で話せますか」 "do you speak English?")
ASK_FOR_ENGLISH = re.compile(
    r"(英語|えいご)(で|が|の)?(も)?(話せ|はなせ|話して|はなして|対応|たいおう|お願い|おねがい|大丈夫|だいじょうぶ|いい|しゃべれ|喋れ|"
    r"できる|できます|わかる|分かる|かまいません|構いません)|"
    r"(?i:\b(do|can|could) (you|someone|anyone) speak english\b|\b(speak|talk) (in )?english\b|\benglish,? please\b|"
    r"\bin english,? please\b|\benglish speaker\b)"
)
PREAMBLE = re.compile(
    r"^(ちょっと|少し|すこし|一つ|ひとつ|すみません|すいません|すんません|すまんけど|恐れ入ります|おそれいります|もしもし|"
    r"あの|あのう|あのー|えっと|えーと|[、。…\.\s])*"
    r"((お?聞き|お?きき|お?伺い|お?うかがい|お?尋ね|お?たずね|ご?相談し|そうだんし|確認し|かくにんし|教えてもらい|おしえてもらい)(し)?たい"
    r"(こと|事|ん|の)?(が|は)?(ある|あって|あり(まし)?て|あります|あるんです|なんです|です)?(けど|けれど|が)?"
    r"|(質問|しつもん|ご?相談|そうだん|お願い|おねがい|問い合わせ|といあわせ)(が|で|なんです|です)?(ある|あって|あり(まし)?て|あります|あるんです)?(けど|けれど|が)?)"
    r"[、。…\.\s]*((お)?電話(し(まし)?た|させていただきました)(んです|のです)?(けど|けれど|が)?)?[、。…\.\s!?？]*$"
)
# the same with a topic named first: 「先日の注文の件で確認したいことがあるんですけど」「請求のことでお聞きしたいんですが」
TOPIC_PREAMBLE = re.compile(
    r"^[^、。?？]{1,16}?(の件|のこと|の事|について|に関して|のことなんですけど|のことなんですが)(で|なんですが|なんですけど)?[、\s]*"
    + PREAMBLE.pattern.removeprefix("^")
)
# no answer to give: that is an answer (offer another way), not a failure to understand
DONT_KNOW = re.compile(
    r"(わから|分から|わかん|分かん|わかりませ|分かりませ|わがん|わがら|知らな|しらな|知らん|しらん|知らへん|存じ|"
    r"覚えて(い)?な|おぼえて(い)?な|覚えてへん|おぼえてへん|覚えとらん|忘れ|わすれ|"
    r"見当たら|みあたら|手元にな|てもとにな|控えて(い)?な|任せて|まかせて|見つからな|みつからな|"
    # 「番号がどこにあるか…」, not 「今どこにあるかだけ教えて」 (where the parcel is: a question)
    # (「そもそも今どこにあるか分かります？」: asked too)
    r"どこにあるか(?!だけ|を|教え|おしえ|知り|しり|確認|かくにん|見て|みて|調べ|しらべ|(わか|分か)(り|る)))"
)
# only hesitating, clause by clause: 「ちょっと待ってください、今伝票を探しますので」「カレンダー見ますね」
# a clause that asks or explains is not a hesitation, even with 確認 or 見る in it (「確認したいことがある」)
_NOT_HESITATION = re.compile(r"(たい|ほしい|欲しい|件|について|こと|いつ|なぜ|なんで|どう(なって|して)|届|注文|キャンセル|返品|請求)")
_HESITATION_CLAUSE = re.compile(
    r"(待っ|待ち|まって|まっと|お待|おまち|探し|さがし|探す|確認し|確認す|かくにんし|調べ|しらべ|見てき|見てく|見ます|見るので|"
    r"見ますね|見てみ|取ってき|持ってき|確かめ|思い出|おもいだ|考え中|なんだっけ|何だっけ|なんやったか|何やったか|"
    # deliberating over the question, not panic (「どうしよう」 alone, or with 母が倒れて, stays distress)
    r"^どうしよう(か|っか)(な|なあ|なー|しら|ね)?$|^どないしよ(か|かな)$|^迷(う|うな|うなあ|います|ってます|ってる)$|"
    r"^悩(む|むな|むなあ|みます|んでます|んでる)$|"
    r"何かあったか|なにかあったか|なんかあったか|ど忘れ|どこやったか|どこだっけ|^そうですね$|^そうやな$|^そうだな$|"
    r"(どこ|どれ|なん|何|いつ)(だった|やった|にあった|だっ)(か|かな|かしら|っけ|け)|"
    r"^(何|なに|なん)から$|(話|はな)せばいい|(何|なん)て(言|い)えば|どう(言|い)えば|どう(説明|せつめい)すれば|"
    r"^そうねえ?$|^あと(ひと|一|1)つ$|^もう(ひと|一|1)つ$|^それと$|"
    # someone at home asked for it (「ちょっとまってね、むすこにきくから」「主人に聞いてきます」)
    r"(息子|むすこ|娘|むすめ|主人|しゅじん|旦那|だんな|妻|家内|かない|嫁|よめ|孫|まご|家族|かぞく|母|はは|父|ちち)"
    r"(に|へ)[、\s]*(聞|き)(く|きます|いて|いてき|いてみ|こか|こう))"
)
_CLAUSE = re.compile(r"[、。,.!?！？…‥\s]+|(?<=ので)|(?<=から)")
_SORRY = re.compile(r"^(((え|あ)[、\s]*)?(すみません|すいません|ごめんなさい|ごめん|失礼しました|申し訳ない)(ね|ねえ|ねぇ|ねー|な|なあ)?|え|は|ん|あ|あれ)$")
# a clause that is only a filler the normaliser keeps (「あのー、その…」「なんか、その…」): still collecting oneself
_FILLER_CLAUSE = re.compile(r"^(その|そのう|あの|あのう|ええと|えっとね|なんか|なんと言うか|なんていうか|ほら|うーんと|んーと|まあ|ですね)$")


def clauses(text: str) -> list[str]:
    return [c for c in _CLAUSE.split(text) if c]


# a death in the family, as callers tell it (亡[くぐ]な: Tohoku voices the く, 「じいちゃんが こないだ亡ぐなってしまって
# なっす」; 死んでしもうて in the west); なくなって alone is as often a parcel gone missing (「どこかでなくなってたり」):
# a person must be named
_KIN = ("母|父|主人|夫|妻|家内|息子|娘|祖母|祖父|ばあちゃん|じいちゃん|親|家族|兄|姉|弟|妹|叔母|伯母|叔父|伯父|孫|はは|ちち|おっと|"
        "しゅじん|むすこ|むすめ|そぼ|そふ|おや|いもうと|おとうと|あに|あね|かあさん|とうさん|ばあさん|じいさん|"
        # older and regional words (「うちのじいさまが こないだ なくなってしまってね」, 連れ合い, お袋)
        "じいさま|ばあさま|じっちゃ|ばっちゃ|親父|おやじ|お袋|おふくろ|連れ合い|つれあい|女房|にょうぼう|旦那|だんな")
_DEATH = (r"亡[くぐ]な|亡くし|他界|葬儀|葬式|そうしき|お通夜|おつや|四十九日|急死|遺品|逝って|死んで(しま|もう|しも)|"
          rf"({_KIN})(が|は)?[^。、がをの]{{0,8}}なくな|"
          r"(母|父|主人|夫|妻|家内|息子|娘|祖母|祖父|親|家族|兄|姉|弟|妹)を[^。、]{0,2}なくし")
# grief, panic, confusion: an empathetic line and a person, never 「聞き取れませんでした」
DISTRESS = re.compile(
    rf"({_DEATH}|"
    r"入院し(?!ます)|にゅういんし(?!ます)|倒れ|たおれ|救急|きゅうきゅう|事故に|じこに|"
    r"どうしたらいい|どうしたらええ|どうすればいい|どないしたら|どうしよう(?!か|っかな|っか)|困り果て|途方に|頭が真っ白|"
    r"何が何だか|なにがなんだか|何もわからな|なんもわからん|パニック|助けて|たすけて|"
    # the body telling it (「ゆうべから ねむれんで むねが どきどきして」「なみだ でてくる」「手が震えて」)
    r"(眠|ねむ)れ(ない|ん|なく|へん|ね)|(胸|むね)が(どきどき|ドキドキ|ばくばく|バクバク)|(手|て)が(震え|ふるえ)|"
    r"(涙|なみだ)(が)?[、\s]*(出|で)て|泣けて|なけて(くる|きて))"
)
# words to someone in the room, not to the bot (「ちょっと待って…はいはい、今電話してるから」): the caller is busy
ASIDE = re.compile(
    r"(今|いま)(電話|でんわ)(してる|しとる|中|ちゅう)(から|ので|やから|だから|やけん|なんだから|なの)(?![っとてのにけ])|"
    r"(?<!また)(?<!また、)(あとで|後で)(ね|な|ねー)[、。…\s]*$|静かにして|しずかにして")
# the request in progress given up for another (「日にち変えるのはいいです。それより…」「それよりも、」)
DROP_CURRENT = re.compile(
    r"(のは|のは、|は)(もう)?(いい|ええ|結構|けっこう|大丈夫|だいじょうぶ|やめ)(です|ます|や|わ|ておきます|とく)?[。、,\s]"
    r"|それより(も)?[、,\s]")
# 「では、どうしたらいいでしょうか」「じゃあ、どうすればいいですか？」 after an answer: a calm question for the next
# step, asked politely; distress says it alone or with its other words (「どうしよう、どうしたらいいの…」)
CALM_HOW = re.compile(
    r"(どう|どのように)(したら|すれば|すりゃ)(いい|良い|よい|ええ)(の)?(でしょうか|ですか|ですかね|でしょう|ん(でしょうか|ですか))")
# a date the order will miss or has missed (「クリスマスに間に合わないなら」「誕生日に間に合わなかったので」): the
# reason for a request, said with disappointment; not the return deadline's 「まだ間に合いますか」
MISSED_DATE = re.compile(r"(間に合|まにあ)(わな|わず|わへん|わん|いませ|わねが|わんかっ)")
# grief or an emergency told with a request (「母が亡くなりまして、注文を取り消したい」): sympathy first. Not the
# how-to words of DISTRESS (「キャンセルするにはどうしたらいいですか」 is a question, not a caller in need)
# a death in the family (not a stay in hospital): the condolence is 「ご愁傷様でございます」, not 「大変でしたね」
BEREAVED = re.compile(f"({_DEATH})")
GRIEF = re.compile(
    rf"({_DEATH}|"
    # a stay in hospital that has happened (入院しまして, 母が入院中で), not one the caller plans around
    # (「来週から入院するので、その前に受け取りたい」: a situational request, served)
    r"入院(?!する|します|予定|の予定|前|の前|まで)|にゅういん(?!する|します|よてい|まえ|まで)|"
    r"倒れ|たおれ|救急|きゅうきゅう|事故に|じこに|頭が真っ白|何が何だか|なにがなんだか|パニック|助けて|たすけて)"
)
# trouble with what the shop sent, told with a request (a broken, faulty or wrong item): the request is served
# after an apology (「届いたケトルが壊れておりまして、返品を」). A parcel not come yet is not it: it may be on its
# way, and the order status apologises when it is late
# the caller was kept waiting or could not get through (「なんべん電話したらつながんねん」「ずっと待たされて」): an
# apology for that first, the way an agent answers a call that waited (「大変お待たせいたしました」)
KEPT_WAITING = re.compile(
    r"(つなが|繋が)(らな|らへん|らん|らず|んねん|んない|りにく|りませ|らなかっ)|"
    r"(何回|何度|なんかい|なんど|なんべん|何べん|何遍)[^。?？]{0,8}(電話|でんわ|かけ|掛け)|"
    r"待たされ|またされ|待たせすぎ|待たせ過ぎ|またせすぎ|(ずっと|長いこと|ながいこと|長い間|ながいあいだ)[^。]{0,4}(待って|まって|保留)"
)
TROUBLE = re.compile(
    r"(壊れ|こわれ|故障|こしょう|不良|割れて|割れてい|欠けて|傷(が|だらけ|つ)|キズ|汚れて|破れて|動かな|うごかな|動かへん|"
    r"動かん|動かへん|電源(が)?(入らな|入らへ|入らん|はいらな|はいらへ|はいらん|つかな|つかへ|つかん|入りませ|つきませ)|"
    r"(ランプが(つかな|点かな)|点かな|点きませ|映らな|鳴らな|音が出な|充電でき(な|ませ)|充電され(な|ませ))|水が漏れ|漏れて|違う(商品|もの|物)が|間違った(商品|もの|物)|間違って(届|送)|"
    r"ちが(う|った)(商品|もの)が|"
    # 「スイッチ入れても沸かへんのよ」: a switch or a button that does nothing, water that will not boil
    r"(スイッチ|すいっち|ボタン|ぼたん)を?(入れ|いれ|押し|おし|つけ)ても|沸か(な|へん|ん|ず|ない)|沸きませ|温まらな|あたたまらな|冷えな|ひえな|"
    # a box that came crushed (「箱がべこべこやったんやけど」「箱が潰れてて」): sorry first, even if what is inside is fine
    r"(箱|はこ|ハコ|段ボール|だんボール|ダンボール|梱包|こんぽう)[がはも]?[^。?？]{0,4}"
    r"(べこべこ|ベコベコ|ぼこぼこ|ボコボコ|へこん|凹ん|つぶれ|潰れ|ぐしゃ|グシャ|ぼろぼろ|ボロボロ|破け|やぶけ)|"
    # something missing from the box: 「説明書が入っていなかったんです」「部品が足りない」
    r"(説明書|取扱説明書|付属品|部品|パーツ|保証書|ケーブル|コード|リモコン|電池|アダプター|ふた|蓋)[^。?？]{0,6}"
    r"(入って(い)?な|入っていませ|はいってな|付いて(い)?な|ついて(い)?な|付いていませ|足りな|たりな|見当たらな|欠品)|欠品)"
)
# stock asked about in so many words (「ケトル、まだ入らないんですか」「いつ入荷しますか」): a broken one at home is
# why the caller wants a new one, not a product to return
STOCK_ASKED = re.compile(
    r"(入荷|にゅうか|在庫|ざいこ|まだ入らない|まだ入らへん|まだ入りません|いつ入る|いつ入り|いつはいる|売って(い)?ます|"
    r"置いて(い)?ます|取り扱|買え(ます|る|たり)|かえたり(し|でき)|買いたい|購入(でき|したい)|"
    # 「そちらで電気ケトルを新しく買おうかなと思ってる」: a purchase in mind
    r"(買お|かお|購入しよ)う(かな|と)|"
    # 「…イヤホン? あれが欲しいって言うんだけども、そちらにあるのかねえ」: whether the shop has it
    r"(そちら|そっち|おたく|お店|おみせ)(に|で|には|では)?(は)?[、\s]*(ある|あります|置いてある|おいてある)(の|ん)?(か|かね|かねえ|かな|かしら|やろか|ですか|でしょうか))"
)
# the start of a reply that is a correction: 「いや、…」「ちがう、…」 before the right value
CORRECTION = re.compile(r"(じゃなくて|ではなくて|じゃなかった|ちがう|違う|違い|ちゃう|間違え|まちがえ|訂正|いや)")


# 「そうですか、残念ですね」「しゃあないなあ」 to an answer the caller hoped would be different: it is taken in, nothing
# more asked (to 「ほかにご用件は」: perhaps done, asked)
SIGH = re.compile(r"(?:(?:そう|そうですか|そうなんですか|そっか|そうか|そうなんや|ああ|あー|はい|ええ|うーん|まあ|まぁ|ま)[、,。…\s]*)*"
                  r"(?:残念|ざんねん|仕方ない|しかたない|仕方がない|しかたがない|仕方ないですね|しょうがない|しゃあない|しゃーない|"
                  r"がっかり)"
                  r"(?:です|ですね|ですねえ|だね|やな|やね|ね|ねえ|だ|な|なあ|なぁ|やなあ|だなあ)?[。!！\s]*")


def bare(text: str) -> str:
    """The utterance without punctuation, fillers and the politeness around a short answer."""
    return _WRAP.sub("", text)


_REPEAT_KEY = re.compile(
    r"もう(一|いち|いっ|1)?(度|回|かい|ど|ぺん|遍)|もっかい|もういっぺん|聞き取れ|ききとれ|聞こえ|きこえ|繰り返|くりかえ|リピート|"
    r"(何|なん|なに)(について|て|と|って)|なんやて|何やて"
)
_SAY_VERB = re.compile(
    r"(だけ)?(言|い|ゆ|おっしゃ|仰)(って|うて|いました|いましたか|った|います|う)?|なかった|ません(でした)?|ので|けど|"
    r"(お)?願い(でき|し)?|くれる|くれへん|くれん|くれない|もらえ|いただけ|頂け|ますか|ください|下さい|くださる|くださらん|"
    # 「聞こえんかった」「聞こえへんかった」: missed, in dialect
    r"(ん|へん|なん)かった|"
    r"[?？]|か$|の$|です|ね$|よ$|わ$|って"
)


# what a caller on a bad line says around 「もう一度」 in one breath (「すみません いま よく きこえなくて もういちど
# おねがいします」「電波が悪くて、もう一回」): the apology and the line, no content of their own
_BAD_LINE = re.compile(
    r"すみません|すいません|ごめんなさい|ごめん|申し訳ない|もうしわけない|ちょっと|^(いま|今)|(?<=せん)(いま|今)|よく|うまく|あの|えっと|"
    r"(電波|でんぱ|電話|でんわ|音|おと|声|こえ)(が|の)?(悪|わる|遠|とお|小さ|ちいさ)(くて|い|いので|いから|かった)|"
    r"(聞|き)こえ(なくて|づらくて|にくくて|なかったので|なかったんで)|(聞|き)き(取|と)れ(なくて|なかったので|なかったんで|なかったから)"
)


def _repeat_clause(clause: str) -> bool:
    if not _REPEAT_KEY.search(clause):
        return False
    rest = _SAY_VERB.sub("", _REPEAT_KEY.sub("", _BAD_LINE.sub("", bare(clause))))
    return len(rest) <= 1


def only_repeat(text: str) -> bool:
    """「もう一度お願いします」「え？なんて？」: a request to hear it again, and nothing else."""
    if _english_only(EN_REPEAT, text):
        return True
    # why it is asked again (「耳が遠くて」) is no other request; 「もう いっかい おねがい」 spaced by a recogniser is one clause
    text = _HARD_OF_HEARING.sub("、", text)
    text = _ASKED_BACK_FIRST.sub("、", text)  # 「何時まででしたっけ もう一回お願いします」, spaces and all normalised away
    if re.search(r"[ぁ-ん]\s+[ぁ-ん]", text) and not only_repeat_clauses(text):
        text = re.sub(r"(?<=[ぁ-んァ-ヶー])\s+(?=[ぁ-んァ-ヶー])", "", text)
    return only_repeat_clauses(text)


_HARD_OF_HEARING = re.compile(r"(耳|みみ)(が|も)?(遠|とお)(く|い)(て|から|ので|んで|んです|もんで)?")


def only_repeat_clauses(text: str) -> bool:
    parts = clauses(text)
    if not any(_repeat_clause(c) for c in parts):
        return False
    return all(_repeat_clause(c) or _SORRY.match(c) or _MISSED.match(c) or _ASKED_BACK.search(c)
               or _BAD_LINE.sub("", bare(c)) == "" for c in parts)


# what was just said, asked back (「何時まででしたっけ」 with 「もう一回お願いします」): the same words wanted again
_ASKED_BACK = re.compile(r"(でしたっけ|だったっけ|だっけ|やったっけ)[?？]?$")
_ASKED_BACK_FIRST = re.compile(r"^[^。?？]{0,20}?(でしたっけ|だったっけ|だっけ|やったっけ)[?？、\s]*(?=もう|もっかい|もういっぺん)")
# why it is asked again (「ちょっと聞き逃しちゃって、もう一回言ってもらえますか」): the caller missed it, nothing more
_MISSED = re.compile(
    r"^(ちょっと|すみません|すいません|あ|えっと)?(聞き逃|ききのが|聞きそびれ|ききそびれ|聞き漏ら|ききもら|聞いてなか|きいてなか|"
    r"メモ(でき|し損|しそこ)|めも(でき|しそこ))[^、。?？]{0,10}$"
)


# 「もう少しゆっくり話してもらえますか」「早口で分からへん」: the pace, not the words, was the trouble (issue 15)
_SLOWER_KEY = re.compile(
    r"ゆ[ーっ]*くり(め|目)?|早口|はやくち|"
    r"(話す|はなす|喋る|しゃべる|言う|いう|話し方|喋り方|しゃべり方|声)(の|ん)?(が|は)?(早|速|はや)(すぎ(る|ます|て)?|く(て|って)|い(です)?)|"
    r"(早|速|はや)(すぎ(て|る|ます)?|くて)(?=.*(聞き取|ききと|分から|わから|聞こえ|きこえ|ついていけ))"
)
# the words around a request for a slower pace: what is left must be endings, no content (kanji, digits)
_SLOWER_WORDS = re.compile(
    r"もう(少し|すこし|ちょっと|ちょい|ちいと|ちっと)|もっと|少し|すこし|ちょっと|ちょい|ちいと|ちっと|"
    r"(話|はな|喋|しゃべ|言|い|ゆ|おっしゃ)(して|し|って|うて|せ)|"
    r"(聞き|きき)(取|と)(れ|り)(ない|なかった|ません(でした)?|にくい|づらい)?|(聞|き)こえ(ない|なかった|ません(でした)?|にくい)|"
    r"(分|わ)から(ない|なかった|へん|ひん|ん|ません(でした)?)?|(お)?願い(します|いたします|できますか|できますでしょうか)?|"
    r"(もら|くれ|くださ|いただ|頂)\w*"
)
_CONTENT = re.compile(r"[\u4e00-\u9fff\u30a1-\u30fa0-9０-９A-Za-z]")
_NO_HURRY = re.compile(r"(ゆっくり|ゆーっくり)(で|と)?(いい|ええ|構わ|かまわ|大丈夫|考え|探|さが)")  # the caller's own pace
EN_SLOWER = re.compile(
    r"(sorry,? )?((could|can|would) you (please )?)?(speak|talk|say (that|it)) (a (little|bit) )?(more )?slowly(,? please)?|"
    r"(please )?slow down(,? please)?|(you('re| are) )?(talking |speaking )?too fast|slower,? please",
    re.IGNORECASE,
)


def _pace_words_only(clause: str) -> bool:
    rest = _SLOWER_WORDS.sub("", _SLOWER_KEY.sub("", clause)).strip(" 、。,.!！?？…ー〜")
    return _CONTENT.search(rest) is None and len(rest) <= 8


_APOLOGY_WORDS = re.compile(r"すみません|すいません|ごめんなさい|ごめん|失礼しました|申し訳ない|あの(ー|う)?|えっと|ええと")
# why the pace is the trouble (「わたくし耳が遠いもんで」「年寄りなもので」): the reason, not a request of its own
_HARD_OF_HEARING = re.compile(
    r"(わたくし|私|わたし|わし|あたし|うち)?(は|も|ね)?"
    r"((耳|みみ)が(遠|とお)(い|くて|うて|なって)|(年寄り|としより|年|とし)(なもん|なもの|なんで|なので|だから|やから|だもんで))"
    r"(もん|もの|ので|から|んで|んです(けど|が)?)?(で|ですから|だから|やから|ね|さ)?"
)


def only_slower(text: str) -> bool:
    """A request to speak more slowly (and nothing else but a repeat or an apology around it)."""
    if _english_only(EN_SLOWER, text):
        return True
    joined = re.sub(r"[\s、。,.!！?？…]+", "", text)  # ASR spaces split words: read the utterance whole
    if _SLOWER_KEY.search(joined) is None or _NO_HURRY.search(joined) is not None:
        return False
    said = _HARD_OF_HEARING.sub("", _APOLOGY_WORDS.sub("", _REPEAT_KEY.sub("", _SLOWER_KEY.sub("", joined))))
    return _pace_words_only(said)


def without_repeat_words(text: str) -> str:
    """「もう一度配達をお願いしたい」 without 「もう一度」: what is left says what the caller wants again."""
    return _REPEAT_KEY.sub("", text).strip(" 、。,")


def only_start_over(text: str) -> bool:
    if _english_only(EN_START_OVER, text):
        return True
    return _START_OVER.fullmatch(bare(text)) is not None


# what the normaliser leaves of 「えっとね」「あのさあ」「うーんとですね」: a particle, no words
FILLER_TAIL = re.compile(r"(あの|その|うーん|うん|ん)?と?(です)?(ね|ねえ|ねー|な|なあ|なー|よ|さ|さあ|さー|の|わ|ねぇ|なぁ|さぁ)")


# the caller repeats what was asked while collecting themselves: 「番号？ええと、ちょっと待ってね」
_ECHO_CLAUSE = re.compile(
    r"^(ご?注文番号|ちゅうもんばんごう|お?電話番号|でんわばんごう|郵便番号|ゆうびんばんごう|番号|ばんごう|"
    r"お?日にち|ひにち|お?名前|おなまえ|ご?住所|じゅうしょ|お?時間|じかん|店舗|お?店|みせ)"
    r"(ですか|ですね|か|ね|ねえ|ですか?ね|って)?$"
)


# what the caller is looking for, named before the wait (「番号は…ちょっと待ってね」「えーとな、ばんごうは…ちょい待ってや」):
# no answer yet, and no question back
_TOPIC_CLAUSE = re.compile(
    r"^(ご?注文番号|ちゅうもんばんごう|お?電話番号|でんわばんごう|郵便番号|ゆうびんばんごう|番号|ばんごう)"
    r"(は|わ|はね|はですね|ですけど|ですが|なんですけど)$"
)
# a filler closed with a particle, Kansai and standard (「えーとな」「えっとね」「ほんでな」)
_FILLER_WITH_PARTICLE = re.compile(r"^(えー?っ?と|ええと|えと|あの|あのう|ほんで|ほな|んーと|うーんと)(な|ね|ねえ|なあ|や|さ)$")


# a pause typed or transcribed (「…」「・・・」): still thinking
_ELLIPSIS_ONLY = re.compile(r"[\s…‥・.。、]+")


def only_hesitation(text: str) -> bool:
    """Fillers, 「待ってください」, 「今探します」: the caller needs a moment, nothing else."""
    if _english_only(EN_HESITATION, text):
        return True
    if not any(ch.isalnum() for ch in text) and not _ELLIPSIS_ONLY.fullmatch(text):
        return False  # 「？？？」「!!!!!!」 typed alone: not understanding, or nothing said; not a pause
    parts = clauses(text)
    echoes = [c for c in parts if _ECHO_CLAUSE.match(c)]
    rest = [c for c in parts if not _ECHO_CLAUSE.match(c)]
    if echoes and not any(bare(c) for c in rest):
        return False  # 「番号？」 alone asks what is wanted: the question again, not a wait
    waits = [c for c in rest if _HESITATION_CLAUSE.search(c) is not None and not _NOT_HESITATION.search(c)]
    return all(
        bare(c) == ""
        or (_HESITATION_CLAUSE.search(c) is not None and not _NOT_HESITATION.search(c) and len(c) <= 20)
        or (waits and _TOPIC_CLAUSE.match(c) is not None)
        or _FILLER_WITH_PARTICLE.match(c) is not None
        or _SORRY.match(c) is not None
        or _FILLER_CLAUSE.match(c) is not None
        or FILLER_TAIL.fullmatch(c) is not None
        for c in rest
    )


_MENU_NUMBER = {
    "1": "1", "一": "1", "いち": "1", "2": "2", "二": "2", "に": "2", "3": "3", "三": "3", "さん": "3",
    "4": "4", "四": "4", "よん": "4", "5": "5", "五": "5", "ご": "5", "0": "0", "零": "0", "〇": "0",
    "ゼロ": "0", "ぜろ": "0", "れい": "0",
}
# (一番 as "most": 「札幌駅から一番近いお店」「いちばん早い日」 chooses nothing)
# (朝一番, 朝いちばん: first thing in the morning, a time, no key)
_MENU_CHOICE = re.compile(r"(?<!朝)(?<!あさ)(1|2|3|4|5|0|一|二|三|四|五|〇|零|いち|さん|よん|ゼロ|ぜろ|れい|に|ご)\s*(番|ばん|晩)"
                          r"(?!近|ちか|早|はや|安|やす|遅|おそ|良|いい|よい|よか|高|たか|大|だい|おお|多|少|すく|長|なが|短|みじか|"
                          r"古|ふる|新|あたら|便利|楽|らく|好|すき|速|上|うえ|下|した|最|手前|奥|若|わか|心配|困|こま|"
                          # an address or a place in a list (北1条西2丁目3番地, 2番目, 3番線, 5番館), not a key
                          r"地|ち|目|め|線|せん|号|ごう|館|かん|街|町)|"
                          r"^(1|2|3|4|5|0|いち|に|さん|よん|ご|ゼロ|ぜろ|れい)$")


def menu_key(text: str) -> str | None:
    """A keypad menu choice said aloud: 「2番でお願いします」「いちばん」「ゼロ」; the last one said counts."""
    core = bare(text)
    found = [m.group(1) or m.group(3) for m in _MENU_CHOICE.finditer(core)]
    return _MENU_NUMBER.get(found[-1]) if found else None


# -- English (issue 14): callers the language identifier reads as English are served in English ---------
# Each English pattern joins the Japanese one of the same name (case-insensitive, word-bounded); the
# functions above ask `_english` first for the whole-utterance commands. ASR writes ’ or ' or nothing.

# hai / iie: an English-speaking caller in Japan answers with the Japanese word as often as the English one
_EN_YES = r"(yes|yeah|yea|yep|yup|hai|sure|right|correct|exactly|absolutely|definitely|of course|certainly|please do|" \
          r"go ahead|sounds good|that works|uh[- ]?huh|that(['’]?s| is) (right|correct|it|fine|good)|that(['’]?s| is) right)\b"
_EN_NO = r"(no|nope|nah|iie|negative|wrong|incorrect|not (really|quite|right|that|correct)|" \
         r"that(['’]?s| is)( not|n['’]?t) (right|correct|it)|that(['’]?s| is) (wrong|incorrect))\b"
# at an offer a decline, at a confirmation an acceptance (like 大丈夫です)
_EN_CONTEXT = r"(that(['’]?s| is) fine|it(['’]?s| is) fine|i(['’]?m| am) (fine|good|ok|okay|all right)|all good)\b"
_EN_REFUSAL = r"\b(no thanks|no thank you|not now|never ?mind|i(['’]?ll| will) pass|maybe later|don['’]?t bother|" \
              r"no need|not necessary|i(['’]?ll| will) call (back|again)|leave it)\b"
_EN_FINISHED = r"\b(that(['’]?s| is) (all|it|everything)|nothing else|no more|i(['’]?m| am) (done|good|all set)|" \
               r"all set|thanks?|thank you|cheers|bye|goodbye|that will be all|that(['’]?ll| will) do|" \
               r"that (helps|helped)|problem solved|no,? that(['’]?s| is) (all|it))\b"
_EN_GOODBYE = r"\b(good ?bye|bye( bye)?|see you|have a (nice|good) (day|one)|i(['’]?ll| will) hang up)\b"
_EN_MORE = r"\b(one more (thing|question)|another (thing|question)|also|something else|i (also )?(want|need|have)|" \
           r"can you (also|tell)|i(['’]?d| would) like)\b"
_EN_QUESTION = r"^(what|when|where|how|why|which|who|is|are|do|does|did|can|could|will|would)\b"
_EN_DONT_KNOW = r"\b(i don['’]?t know|do not know|dunno|not sure|no idea|i don['’]?t (have|remember|recall)|" \
                r"i can['’]?t (find|remember)|i forgot|don['’]?t have it)\b"
_EN_HEDGE = r"\b(i think( so)?|probably|i guess|maybe|for now)\b"
_EN_ACKNOWLEDGE = r"(isee|gotit|alright|allright|okay|ok|right|cool|understood|great|perfect)"  # after bare()
_EN_DISTRESS = r"\b(passed away|died|funeral|in (the )?hospital|an accident|emergency|i don['’]?t know what to do)\b"
_EN_TROUBLE = r"\b(broken|broke|damaged|cracked|faulty|defective|doesn['’]?t work|does not work|not working|stopped working|won['’]?t (turn on|work)|leak(s|ing|ed)?|(the )?wrong (item|product|one|size|colou?r))\b"
_EN_NOT_SOLVED = r"\b(not (really|solved|helpful|what i)|didn['’]?t help|doesn['’]?t help|still)\b"

EN_REPEAT = re.compile(
    r"(sorry,? )?(pardon( me)?|come again|what( was that| did you say)?|excuse me|sorry what|huh|"
    r"(could|can|would) you (please )?(repeat|say) (that|it|the number)?( again)?( please)?( more slowly)?|"
    r"(please )?repeat( that| it)?( please)?|say (that|it) again( please)?|one more time( please)?|"
    r"(sorry,? )?i didn['’]?t (catch|hear|get) (that|you|it))",
    re.IGNORECASE,
)
EN_START_OVER = re.compile(r"(let['’]?s )?(start (over|again)|from the (beginning|start)|restart)( please)?", re.IGNORECASE)
EN_HESITATION = re.compile(
    r"((um+|uh+|er+|hmm+|well|so|ok|okay)[,.\s]*)*"
    r"(hold on|wait|one (moment|sec(ond)?|minute)|just a (moment|sec(ond)?|minute)|give me a (moment|sec(ond)?|minute)|"
    r"let me (check|find it|look|see|get it|think)|i(['’]?m| am) (looking|checking)( for it)?|um+|uh+|er+|hmm+)"
    r"([,.\s]+(please|a (moment|sec(ond)?|minute)|let me (check|look|find it|see)))*[.!]?",
    re.IGNORECASE,
)


def _english(pattern: re.Pattern[str], english: str, anchored: bool = False) -> re.Pattern[str]:
    return re.compile(f"{pattern.pattern}|{'^' if anchored else ''}(?i:{english})")


def _english_only(pattern: re.Pattern[str], text: str) -> bool:
    return pattern.fullmatch(text.strip(" .,!?")) is not None


YES = _english(YES, _EN_YES, anchored=True)
NO = _english(NO, _EN_NO, anchored=True)
CONTEXT_YES_NO = _english(CONTEXT_YES_NO, _EN_CONTEXT, anchored=True)
REFUSAL = _english(REFUSAL, _EN_REFUSAL)
FINISHED = _english(FINISHED, _EN_FINISHED)
CLEAR_GOODBYE = _english(CLEAR_GOODBYE, _EN_GOODBYE)
MORE_TO_ASK = _english(MORE_TO_ASK, _EN_MORE)
QUESTION = _english(QUESTION, _EN_QUESTION)
DONT_KNOW = _english(DONT_KNOW, _EN_DONT_KNOW)
NO_PREFERENCE = _english(NO_PREFERENCE, r"\b(any ?time|whenever|as (soon|early) as (possible|you can)|earliest|first (available|possible)|"
                                        r"no preference|(doesn['’]?t|does not|don['’]?t) matter|up to you)\b")
HEDGE = _english(HEDGE, _EN_HEDGE)
ACKNOWLEDGE = _english(ACKNOWLEDGE, _EN_ACKNOWLEDGE)
DISTRESS = _english(DISTRESS, _EN_DISTRESS)
NOT_SOLVED = _english(NOT_SOLVED, _EN_NOT_SOLVED)
TROUBLE = _english(TROUBLE, _EN_TROUBLE)
KEPT_WAITING = _english(KEPT_WAITING, r"\b(on hold (for|forever)|been (waiting|holding)|kept (me )?waiting|"
                                      r"(called|rung|rang|tried calling) [\w ]{0,12}(times|again)|(couldn['’]?t|can['’]?t|could not|cannot) get through)\b")
GRIEF = _english(GRIEF, r"\b(passed away|died|funeral|in (the )?hospital|lost my (mother|father|husband|wife|son|daughter))\b")
BEREAVED = _english(BEREAVED, r"\b(passed away|died|funeral|lost my (mother|father|husband|wife|son|daughter))\b")


# a person asked for in so many words (「…担当の方と話したいです」「人に代わってもらえますか」): with a request or a
# complaint in the same breath, the caller still wants the person, whatever the request's own reading says
# a person said not to be needed (「担当の方に代わってもらうほどじゃないんですけど、送料って…」「人に代わらなくて大丈夫
# です」): the question that follows is the bot's, whatever the classifier hears (operator_request 0.85)
PERSON_NOT_NEEDED = re.compile(
    r"(担当|たんとう|係|かかり|オペレーター|おぺれーたー|人|ひと)[^。?？]{0,8}(代わ|かわ|替わ|つな|繋|話|はな)[^。?？]{0,8}"
    r"(ほど(じゃ|では|でも)(ない|ありません|ないんです)|までも(ない|ありません)|なくて(も)?(いい|ええ|大丈夫|結構)|必要(は)?(ない|ありません))")
ASKS_FOR_PERSON = re.compile(
    r"(担当(者|の(方|かた|人|ひと))|係の(方|かた|人)|オペレーター(さん)?|人間|責任者|(?<![一二三四五六七八九十何0-9])(人|ひと))"
    r"(と|に|の方に|に直接)[、 ]?(直接)?(話|はな|しゃべ|喋|代わ|かわ|替わ|変わ|つな|繋)"
    r"(し|さ|せ|り|っ|い|ぎ|ら|れ)[^、。]{0,8}?(たい|[てで](ほしい|欲しい|ください|下さい|くれ|もらえ|いただけ|頂け)|せて|ますか|ませんか)"
    # 「人と話したほうが早そうなので」: a person rather than the bot
    r"|(?<![一二三四五六七八九十何0-9])(人|ひと|担当者|オペレーター)(と|に)[、 ]?(話|はな)した(ほう|方)が(早|はや|いい|ええ|よさ|良さ|確実)"
)

# yes and no in the languages callers in Japan speak, for the one question the bot asks in them: a callback
# from an agent who speaks theirs (dialogue/language_callback.py). Matched on the NFKC-folded, lower-cased turn;
# no is looked for first (「不要」 holds 要, 「não quero」 holds quero)
FOREIGN_NO: dict[str, re.Pattern[str]] = {
    "zh": re.compile(r"不|没|別|别|算了"),
    "ko": re.compile(r"아니|아뇨|괜찮|됐어|필요 ?없"),
    "vi": re.compile(r"\b(không|khong|thôi|thoi)\b"),
    "pt": re.compile(r"\b(não|nao|obrigad[oa],? não)\b"),
    "es": re.compile(r"\bno\b"),
    "tl": re.compile(r"\b(hindi|huwag|wag|ayoko)\b"),
    "id": re.compile(r"\b(tidak|nggak|gak|enggak|jangan)\b"),
    "th": re.compile(r"ไม่"),
    "ne": re.compile(r"होइन|पर्दैन|चाहिँदैन|चाहिदैन|नगर्नु"),
    "en": re.compile(r"\b(no|nope|not now|no thanks?)\b"),
}
FOREIGN_YES: dict[str, re.Pattern[str]] = {
    "zh": re.compile(r"是|好|要|对|對|行|可以|嗯|麻烦|麻煩|请|請"),
    "ko": re.compile(r"네|예|좋아|부탁|그래|응"),
    "vi": re.compile(r"\b(có|co|vâng|vang|dạ|da|được|duoc|đồng ý|ok)\b"),
    "pt": re.compile(r"\b(sim|pode|quero|claro|por favor|ok)\b"),
    "es": re.compile(r"\b(sí|si|claro|por favor|vale|ok)\b"),
    "tl": re.compile(r"\b(oo|opo|sige|pwede|puwede|ok)\b"),
    "id": re.compile(r"\b(ya|iya|boleh|mau|ok)\b"),
    "th": re.compile(r"ใช่|ได้|ค่ะ|ครับ|โอเค"),
    "ne": re.compile(r"हो|हुन्छ|हजुर|ठीक|गर्नुहोस्"),
    "en": re.compile(r"\b(yes|yeah|yep|sure|please|ok|okay)\b"),
}


# why it goes back, beyond a product that does not work (TROUBLE): it does not fit or is not wanted (「サイズが合わなかった
# んです」「思ってたのと色が違って」「もう要らなくなったので」). Given to a read-back of a return or a cancellation instead of
# a yes, it (or TROUBLE: 「届いたら割れてまして」) is the yes with its reason
NOT_WANTED = re.compile(
    r"(サイズ|さいず|寸法|大きさ|色|いろ|柄|デザイン|イメージ|写真|サイト)[^。?？]{0,8}(合わ|あわ|違|ちが|ちゃう|ちごう)|"
    r"(思って|おもって|想像して)(い|お)?(た|る)(の|ん|もの|もん)?と[^。?？]{0,6}(違|ちが|ちゃう)|"
    r"(もう|もはや)?(要らなく|いらなく|必要なく|ひつようなく|使わなく|つかわなく)|気に入らな|きにいらな"
)


# not at home to take a parcel (「明日な、うち誰もおらへんねん」「その日は留守にしてて」): said at the menu, the
# delivery is to be changed, however faint the classifier's reading of it
AWAY_FROM_HOME = re.compile(
    r"(誰|だれ)も(い|お)(ない|ません|らん|らへん|れへん|ーひん|いひん|ねえ|ねぇ|ねー)|(家|いえ|うち)に?(い|お)(ない|ません|らん|らへん|れへん)|"
    r"留守|るす|不在(?!票)|ふざい(?!ひょう)|(受け|うけ)(取|と)れ(ない|ません|へん|なさそう)|(家|いえ|うち)を?(空け|あけ)"
)


# a no that says which part of a read-back is wrong: 「この でんわじゃなくて」「日にちが違います」「別の携帯に」
NOT_THIS = re.compile(r"じゃなく|じゃな[いく]|ではなく|でなく|ちが[うい]|違[うい]|べつの|別の|ほかの|他の")
# the words that name a slot in such a no, by the slot names of the sample flows (SPEC 7.2: slots are named after
# their entity types); a flow whose slot is not asked is never sent back to it
SLOT_CUES: dict[str, re.Pattern[str]] = {
    "phone_number": re.compile(r"電話|でんわ|デンワ|携帯|けいたい|ケータイ|ケイタイ|スマホ"),  # 番号 alone: an order's too
    "date": re.compile(r"日にち|ひにち|日付|ひづけ|曜日|ようび|何日|なんにち"),
    "time": re.compile(r"時間|じかん|時刻|何時|なんじ"),
    "address": re.compile(r"住所|じゅうしょ|番地|ばんち|マンション|部屋|へや|号室|ごうしつ"),
}
